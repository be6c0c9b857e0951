import unittest

from blender_mcp_bus.core.api_index import ApiIndex, Entry, doc_summary, one_line

ENTRIES = [
    Entry("bpy.types.Object", "type", "Object data-block defining an object in a scene", 10),
    Entry("bpy.types.Object.location", "property", "FLOAT[3] Location of the object", 10),
    Entry("bpy.types.Object.location_offset", "property", "FLOAT[3] Made-up offset", 10),
    Entry("bpy.types.PoseBone.location", "property", "FLOAT[3] Location of the bone"),
    Entry("bpy.types.Object.ray_cast", "function", "Cast a ray onto evaluated geometry"),
    Entry("bpy.types.ObjectModifiers", "type", "Collection of object modifiers"),
    Entry("bpy.types.VIEW3D_PT_location", "type", "A panel", -10),
    Entry("bpy.ops.mesh.primitive_cube_add", "operator", "Construct a cube mesh"),
    Entry("bpy.ops.object.location_clear", "operator", "Clear the object's location"),
    Entry("mathutils.Vector.lerp", "function", "Returns the interpolation of two vectors"),
]


class SearchTest(unittest.TestCase):
    def setUp(self):
        self.index = ApiIndex(ENTRIES)

    def ids(self, query, kind=None):
        return [e.id for e in self.index.search(query, kind)]

    def test_exact_name_beats_prefix_beats_description(self):
        ids = self.ids("location")
        self.assertEqual(ids[:2], ["bpy.types.Object.location", "bpy.types.PoseBone.location"])
        self.assertLess(ids.index("bpy.types.Object.location_offset"), ids.index("bpy.ops.object.location_clear") + 1)
        self.assertEqual(ids[-1], "bpy.types.VIEW3D_PT_location", "a UI class ranks last")

    def test_kind_filter(self):
        self.assertEqual(self.ids("location", "operator"), ["bpy.ops.object.location_clear"])
        self.assertEqual(self.ids("cube", "property"), [])

    def test_every_word_must_match(self):
        self.assertEqual(self.ids("object location")[0], "bpy.types.Object.location")
        self.assertNotIn("bpy.types.PoseBone.location", self.ids("object location"))
        self.assertEqual(self.ids("cube mesh"), ["bpy.ops.mesh.primitive_cube_add"])

    def test_dotted_query_matches_an_id_suffix(self):
        self.assertEqual(self.ids("Object.location")[0], "bpy.types.Object.location")
        self.assertEqual(self.ids("bpy.ops.mesh.primitive_cube_add"), ["bpy.ops.mesh.primitive_cube_add"])

    def test_description_words_match_too(self):
        self.assertEqual(self.ids("interpolation"), ["mathutils.Vector.lerp"])

    def test_empty_query_and_no_match(self):
        self.assertEqual(self.ids("   "), [])
        self.assertEqual(self.ids("zzzz"), [])

    def test_duplicates_keep_the_first(self):
        index = ApiIndex([Entry("a.b", "type", "one"), Entry("a.b", "type", "two")])
        self.assertEqual(len(index), 1)
        self.assertEqual(index.get("a.b").description, "one")


class SuggestTest(unittest.TestCase):
    def setUp(self):
        self.index = ApiIndex(ENTRIES)

    def test_wrong_case(self):
        self.assertEqual(self.index.suggest("bpy.types.object.location")[0], "bpy.types.Object.location")

    def test_misspelt_member(self):
        self.assertIn("bpy.types.Object.location", self.index.suggest("bpy.types.Object.locaton"))

    def test_misspelt_type_keeps_the_member(self):
        self.assertIn("bpy.types.Object.location", self.index.suggest("bpy.types.Objct.location"))

    def test_nothing_close(self):
        self.assertEqual(self.index.suggest("qqq.rrr"), [])


class ChildrenTest(unittest.TestCase):
    def test_members_of_a_type_in_index_order(self):
        index = ApiIndex(ENTRIES)
        self.assertEqual(index.children("bpy.types.Object"),
                         ["bpy.types.Object.location", "bpy.types.Object.location_offset", "bpy.types.Object.ray_cast"])
        self.assertEqual(index.children("bpy.types.Nothing"), [])


class DocTest(unittest.TestCase):
    def test_function_directive(self):
        doc = ".. function:: lerp(other, factor)\n\n   Returns the interpolation of two vectors.\n\n   :arg other: value\n"
        self.assertEqual(doc_summary(doc), ("lerp(other, factor)", "Returns the interpolation of two vectors."))

    def test_bmesh_style_signature_line(self):
        doc = "bmesh.ops.bevel(bmesh, geom=[])\n\n  Bevel.\n\n  Bevels edges and vertices\n"
        self.assertEqual(doc_summary(doc), ("bmesh.ops.bevel(bmesh, geom=[])", "Bevel."))

    def test_none_and_long_text(self):
        self.assertEqual(doc_summary(None), ("", ""))
        self.assertEqual(len(one_line("word " * 100)), 160)
        self.assertTrue(one_line("word " * 100).endswith("..."))


if __name__ == "__main__":
    unittest.main()

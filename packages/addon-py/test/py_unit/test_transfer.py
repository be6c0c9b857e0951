import base64
import os
import shutil
import tempfile
import unittest

from blender_mcp_bus.core import transfer
from blender_mcp_bus.core.transfer import CHUNK_BYTES, TransferError, delete, read_chunk, write_chunk


class TransferTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.addCleanup(lambda: shutil.rmtree(self.folder, ignore_errors=True))

    def test_chunks_written_in_order_read_back_whole(self):
        data = os.urandom(CHUNK_BYTES + 10)
        first = write_chunk(self.folder, "scene.blend", 0, base64.b64encode(data[:CHUNK_BYTES]).decode())
        last = write_chunk(self.folder, "scene.blend", CHUNK_BYTES, base64.b64encode(data[CHUNK_BYTES:]).decode())
        self.assertEqual(last["size"], len(data))
        self.assertEqual(first["filepath"], last["filepath"])
        back = b"".join(base64.b64decode(read_chunk(last["filepath"], at, CHUNK_BYTES)["data_base64"])
                        for at in (0, CHUNK_BYTES))
        self.assertEqual(back, data)
        self.assertEqual(read_chunk(last["filepath"], 0, 1)["size"], len(data))

    def test_offset_zero_starts_afresh(self):
        write_chunk(self.folder, "a.blend", 0, base64.b64encode(b"old old old").decode())
        self.assertEqual(write_chunk(self.folder, "a.blend", 0, base64.b64encode(b"new").decode())["size"], 3)

    def test_a_gap_or_overlap_is_refused_saying_how_to_send(self):
        write_chunk(self.folder, "a.blend", 0, base64.b64encode(b"abc").decode())
        with self.assertRaisesRegex(TransferError, "send the chunks in order from 0"):
            write_chunk(self.folder, "a.blend", 7, base64.b64encode(b"x").decode())

    def test_names_cannot_leave_the_folder(self):
        for name in ("../x.blend", ".hidden", "a/b", ""):
            with self.assertRaisesRegex(TransferError, "plain file name"):
                write_chunk(self.folder, name, 0, "")

    def test_reading_past_the_end_or_a_missing_file_says_so(self):
        path = write_chunk(self.folder, "a.bin", 0, base64.b64encode(b"abc").decode())["filepath"]
        self.assertEqual(read_chunk(path, 3, 10)["data_base64"], "")
        with self.assertRaisesRegex(TransferError, "past the end"):
            read_chunk(path, 4, 10)
        with self.assertRaisesRegex(TransferError, "no file at"):
            read_chunk(path + ".missing", 0, 10)


    def test_delete_removes_a_file_or_folder_inside_and_says_when_it_was_gone(self):
        path = write_chunk(self.folder, "scene.blend", 0, base64.b64encode(b"abc").decode())["filepath"]
        frames = os.path.join(self.folder, "anim-1")
        os.makedirs(frames)
        open(os.path.join(frames, "frame_0001.png"), "wb").close()
        self.assertEqual(delete(self.folder, path), {"deleted": True})
        self.assertEqual(delete(self.folder, frames), {"deleted": True})
        self.assertEqual(os.listdir(self.folder), [])
        self.assertEqual(delete(self.folder, path), {"deleted": False})

    def test_delete_refuses_anything_outside_the_folder_or_the_folder_itself(self):
        outside = tempfile.NamedTemporaryFile(delete=False)
        self.addCleanup(os.remove, outside.name)
        for path in (outside.name, self.folder, os.path.join(self.folder, "..", os.path.basename(outside.name))):
            with self.assertRaisesRegex(TransferError, "only transferred files can be deleted"):
                delete(self.folder, path)
        self.assertTrue(os.path.exists(outside.name))

    def test_what_this_process_wrote_is_removed_at_exit(self):
        kept = os.path.join(self.folder, "not-ours.blend")
        open(kept, "wb").close()
        ours = write_chunk(self.folder, "ours.blend", 0, base64.b64encode(b"abc").decode())["filepath"]
        transfer.forget_all()  # what atexit runs
        self.assertFalse(os.path.exists(ours))
        self.assertTrue(os.path.exists(kept))


if __name__ == "__main__":
    unittest.main()

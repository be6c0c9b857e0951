// A node:test reporter that prints only the closing line CI reads.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    if (event.data.details?.type === "suite") {
      // A suite that fails outside its tests (a hook) still counts as a failure.
      if (event.type === "test:fail" && event.data.details?.error?.failureType !== "subtestsFailed") failed++;
      continue;
    }
    if (event.data.skip || event.data.todo) skipped++;
    else if (event.type === "test:pass") passed++;
    else failed++;
  }
  yield `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}

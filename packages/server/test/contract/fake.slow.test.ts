import { describe } from "node:test";
import { contractSuite } from "./suite.js";
import { fakeKind } from "./fake-kind.js";

// Each run has its own server and fake addon, so the four run at once (each one's tests in order).
describe("the contract against the fake addon", { concurrency: true }, () => {
  contractSuite(fakeKind, "http");
  contractSuite(fakeKind, "stdio");
  contractSuite(fakeKind, "http", "modern");
  contractSuite(fakeKind, "stdio", "modern");
});

import { describe } from "node:test";
import { contractSuite } from "./suite.js";
import { fakeKind } from "./fake-kind.js";

// The server in this process, its MCP clients and fake addons on in-memory links: the contract without processes or ports.
describe("the contract against the fake addon, in-process", { concurrency: true }, () => {
  contractSuite(fakeKind, "in-memory");
  contractSuite(fakeKind, "in-memory", "modern");
});

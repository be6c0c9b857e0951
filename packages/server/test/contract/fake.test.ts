import { contractSuite } from "./suite.js";
import { fakeKind } from "./fake-kind.js";

contractSuite(fakeKind, "http");
contractSuite(fakeKind, "stdio");
contractSuite(fakeKind, "http", "modern");
contractSuite(fakeKind, "stdio", "modern");

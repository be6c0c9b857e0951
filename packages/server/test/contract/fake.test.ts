import { contractSuite } from "./suite.js";
import { fakeKind } from "./fake-kind.js";

contractSuite(fakeKind, "http");
contractSuite(fakeKind, "stdio");

export { FakeAddon, RefusedError } from "./fake-addon.js";
export type { Behaviour, FakeAddonOptions } from "./fake-addon.js";
export { gradientPng, pngSize } from "./png.js";

export { FakeAddon, RefusedError } from "./fake-addon.js";
export type { Behaviour, FakeAddonOptions } from "./fake-addon.js";
export { decodePng, distinctColours, gradientPng, pngSize, rgbPng } from "./png.js";

/** The addon packager's zip writer, for fixtures that serve zip files (tools/package-addon/). */
export * from "../../../tools/package-addon/zip.js";

/** The version of the whole bus (server, addon and protocol ship together). */
export const PACKAGE_VERSION = "0.1.0";

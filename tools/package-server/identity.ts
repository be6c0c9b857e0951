/**
 * The names the server is published under, in one place. The MCP Registry
 * ties `mcpName` (package.json) to server.json's `name`; an `io.github.OWNER/`
 * name is proven by logging in to the registry as that GitHub owner, so
 * change OWNER to the repository's real owner before the first publish.
 */
export const NPM_NAME = "blender-mcp-bus";
export const OWNER = "blender-mcp-bus";
export const MCP_NAME = `io.github.${OWNER}/${NPM_NAME}`;
export const REPOSITORY_URL = `https://github.com/${OWNER}/${NPM_NAME}`;
/** The registry caps server.json's description at 100 characters. */
export const DESCRIPTION = "Drive one or many running Blenders from any MCP client through a job bus and a Blender add-on";
/** The server, protocol and fake addon; the Blender add-on is GPL-3.0-or-later (packages/addon-py/LICENSE). */
export const SERVER_LICENSE = "MIT";

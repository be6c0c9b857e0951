/**
 * 8. Tool list cost: what `tools/list` costs a conversation, per toolset
 * choice, as a real server advertises it to the SDK's client. Tokens come
 * from a BPE tokenizer (gpt-tokenizer's o200k_base) as a stand-in for the
 * model's own; characters are exact.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { startServer } from "./procs.js";
import { goalLine, table, type Goal, type Section } from "./report.js";

/** The default core must fit in this many tokens without outputSchemas (issue 13). */
export const CORE_TOKEN_GOAL = 3000;

interface Listed {
  tools: number;
  chars: number;
  tokens: number;
  charsLean: number;
  tokensLean: number;
}

async function listTools(mcpUrl: string, token: string, toolsets: string): Promise<Listed> {
  const url = new URL(mcpUrl);
  url.searchParams.set("toolsets", toolsets);
  const client = new Client({ name: "bench-toolsets", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const { tools } = await client.listTools();
    const full = JSON.stringify({ tools });
    // Clients that ignore structured results, and most today, still pay for outputSchema; "lean" is without it.
    const lean = JSON.stringify({ tools: tools.map(({ outputSchema: _o, ...rest }) => rest) });
    return { tools: tools.length, chars: full.length, tokens: countTokens(full), charsLean: lean.length, tokensLean: countTokens(lean) };
  } finally {
    await client.close();
  }
}

export async function run(): Promise<Section> {
  const server = await startServer();
  try {
    const choices = [
      { what: "default (core)", toolsets: "core" },
      { what: "core + api", toolsets: "core,api" },
      { what: "all", toolsets: "all" },
    ];
    const rows: (string | number)[][] = [];
    const values: Record<string, number> = {};
    for (const choice of choices) {
      const listed = await listTools(server.mcpUrl, server.token, choice.toolsets);
      rows.push([choice.what, `\`${choice.toolsets}\``, listed.tools, listed.charsLean, listed.tokensLean, listed.chars, listed.tokens]);
      const key = choice.toolsets.replace(/,/g, "_");
      values[`tools_${key}`] = listed.tools;
      values[`tokens_lean_${key}`] = listed.tokensLean;
      values[`tokens_${key}`] = listed.tokens;
    }
    const goal: Goal = { what: "the default core's tool list without outputSchemas", measured: values.tokens_lean_core!, limit: CORE_TOKEN_GOAL, kind: "max", unit: "tokens" };
    const body = `The \`tools/list\` result as the MCP SDK's client receives it from a running server, serialised as JSON,
for a session opened with \`/mcp?toolsets=...\` (the same as \`--toolsets\`). "lean" leaves out each tool's
outputSchema, which a client that reads only text results may not forward to the model. Tokens by
gpt-tokenizer (o200k_base), a stand-in for the model's own tokenizer.

${table(["toolsets", "value", "tools", "chars lean", "tokens lean", "chars", "tokens"], rows)}

${goalLine(goal, (n) => n.toFixed(0))}
`;
    return { id: "toolsets", title: "8. Tool list cost", body, values };
  } finally {
    await server.stop();
  }
}

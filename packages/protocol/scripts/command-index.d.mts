/** Types of command-index.mjs, for the codegen drift test. */
export declare const COMMANDS_DIR: string;
export declare const INDEX_PATH: string;
export declare function renderCommandIndex(dir?: string): string;

/** Values the global setup shares with every test file. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Data folder holding the generated sandbox stores, shared read-only by all tests. */
    sandboxDataDir: string;
  }
}

export {};

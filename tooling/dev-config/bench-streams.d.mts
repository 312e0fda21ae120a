/** The 14 SSE items (`data: …\n\n` each) of the packages' CPU scripts' OpenAI chat stream, in order. */
export declare function openAIBenchStreamItems(): string[];

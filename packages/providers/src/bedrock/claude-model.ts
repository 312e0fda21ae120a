/** Claude model ids on Bedrock: `anthropic.claude-…`, region profiles `us.anthropic.claude-…`, their ARNs. */
const CLAUDE_MODEL = /(^|[./])anthropic\.claude/;

/** Whether a Bedrock model id (or ARN) names a Claude model. */
export function isBedrockClaudeModel(model: string): boolean {
  return CLAUDE_MODEL.test(model);
}

/**
 * OpenAI's batch object, completed, with `fields` over it
 * (https://platform.openai.com/docs/api-reference/batch/object): what `GET /v1/batches/{id}` answers.
 */
export function openAIBatch(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    errors: null,
    input_file_id: 'file-input',
    completion_window: '24h',
    status: 'completed',
    output_file_id: 'file-output',
    error_file_id: null,
    created_at: 1711471533,
    in_progress_at: 1711471538,
    expires_at: 1711557933,
    finalizing_at: 1711493133,
    completed_at: 1711493163,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: 2, completed: 2, failed: 0 },
    metadata: null,
    ...fields,
  };
}

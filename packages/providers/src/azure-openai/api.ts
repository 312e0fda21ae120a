import { z } from 'zod';

/**
 * Azure OpenAI's error body: OpenAI's envelope where `code` is often Azure's own (`DeploymentNotFound`,
 * `content_filter`, `429`) and `innererror` explains content-filter refusals
 * (https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#error-response).
 */
export const azureOpenAIErrorBodySchema = z.looseObject({
  error: z
    .looseObject({
      message: z.string().nullish(),
      type: z.string().nullish(),
      param: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      innererror: z.looseObject({ code: z.string().optional() }).nullish(),
    })
    .optional(),
});

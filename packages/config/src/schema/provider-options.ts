import { z } from 'zod';
import { booleanSchema, opaqueObjectSchema, plainStringSchema } from './expect.js';

/**
 * Provider options Portkey honours on a target (behaviour reference §3.2 and §3.3, `Options` in
 * `src/types/requestBody.ts`), all strings. Most belong to provider families pk has no adapter for
 * yet: they are typed and passed through to `PlanLeaf.target` untouched.
 */
export const PROVIDER_STRING_OPTION_KEYS = [
  // OpenAI
  'openai_project',
  'openai_organization',
  'openai_beta',
  // Azure OpenAI and Azure AI Inference
  'resource_name',
  'deployment_id',
  'api_version',
  'azure_auth_mode',
  'azure_ad_token',
  'azure_managed_client_id',
  'azure_workload_client_id',
  'azure_entra_client_id',
  'azure_entra_client_secret',
  'azure_entra_tenant_id',
  'azure_entra_scope',
  'azure_model_name',
  'azure_api_version',
  'azure_endpoint_name',
  'azure_foundry_url',
  'azure_extra_parameters',
  'azure_deployment_name',
  'azure_region',
  'azure_deployment_type',
  // AWS: Bedrock and SageMaker
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_region',
  'aws_role_arn',
  'aws_auth_type',
  'aws_external_id',
  'aws_s3_bucket',
  'aws_s3_object_key',
  'aws_bedrock_model',
  'aws_server_side_encryption',
  'aws_server_side_encryption_kms_key_id',
  'foundation_model',
  'amzn_sagemaker_custom_attributes',
  'amzn_sagemaker_target_model',
  'amzn_sagemaker_target_variant',
  'amzn_sagemaker_target_container_hostname',
  'amzn_sagemaker_inference_id',
  'amzn_sagemaker_enable_explanations',
  'amzn_sagemaker_inference_component',
  'amzn_sagemaker_session_id',
  'amzn_sagemaker_model_name',
  // Google Vertex AI
  'vertex_project_id',
  'vertex_region',
  'vertex_storage_bucket_name',
  'vertex_model_name',
  'vertex_batch_endpoint',
  'filename',
  // Others
  'workers_ai_account_id',
  'anthropic_beta',
  'anthropic_version',
  'huggingface_base_url',
  'stability_client_id',
  'stability_client_user_id',
  'stability_client_version',
  'fireworks_account_id',
  'fireworks_file_length',
  'snowflake_account',
  'oracle_api_version',
  'oracle_region',
  'oracle_compartment_id',
  'oracle_serving_mode',
  'oracle_tenancy',
  'oracle_user',
  'oracle_fingerprint',
  'oracle_private_key',
  'oracle_key_passphrase',
] as const;

/**
 * Target fields that carry a credential a provider call authenticates with: the provider key, AWS's
 * access key id, secret and session token, Azure's Entra token and client secret, Oracle's private key and passphrase, and
 * Vertex's service-account key file (an object: its `private_key`). A gateway refuses a gateway key in
 * any of them, and `@pk/providers` removes their values from any upstream text it passes on.
 */
export const PROVIDER_CREDENTIAL_KEYS = [
  'api_key',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'azure_ad_token',
  'azure_entra_client_secret',
  'oracle_private_key',
  'oracle_key_passphrase',
  'vertex_service_account_json',
] as const;

/** One of {@link PROVIDER_STRING_OPTION_KEYS}. */
export type ProviderStringOptionKey = (typeof PROVIDER_STRING_OPTION_KEYS)[number];

function stringOptions<const K extends readonly string[]>(keys: K) {
  const shape: Record<string, z.ZodOptional<z.ZodString>> = {};
  for (const key of keys) shape[key] = plainStringSchema.optional();
  return shape as { [P in K[number]]: z.ZodOptional<z.ZodString> };
}

const SERVICE_ACCOUNT_EXPECTED = 'expected an object (the service-account key file) or its JSON text';

/** The object a JSON text holds, or `undefined` when it is not JSON or not an object. */
function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A service-account key file (`vertex_service_account_json`): the object, or its JSON text (what a
 * header, an environment variable or the admin API carries), always read as the object. Anything
 * else is an issue whose message describes the value, never shows it (it holds a private key).
 */
export const serviceAccountJsonSchema = z
  .union([z.string(), opaqueObjectSchema], { error: SERVICE_ACCOUNT_EXPECTED })
  .transform((value, context) => {
    if (typeof value !== 'string') return value;
    const object = jsonObjectOf(value);
    if (object !== undefined) return object;
    context.issues.push({ code: 'custom', message: SERVICE_ACCOUNT_EXPECTED, input: value });
    return z.NEVER;
  });

/** zod shape of every provider-facing option of a target except `provider`, `api_key`, `virtual_key`, `custom_host`. */
export const providerOptionsShape = {
  ...stringOptions(PROVIDER_STRING_OPTION_KEYS),
  /** Vertex service-account key file: an object, or its JSON text (read as the object; contents kept as written). */
  vertex_service_account_json: serviceAccountJsonSchema.optional(),
  /** Mistral: use the FIM completions endpoint (`"true"` in the header form). */
  mistral_fim_completion: z
    .union([booleanSchema, plainStringSchema], { error: 'expected true, false or a string' })
    .optional(),
  /** Send the body as multipart form data (Stability v2). */
  transform_to_form_data: booleanSchema.optional(),
};

/** Every provider-option key, `vertex_service_account_json` and the two non-string options included. */
export const PROVIDER_OPTION_KEYS: readonly string[] = Object.keys(providerOptionsShape);

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { checkSigV4, sigV4FactsOf } from './aws-sigv4-check.js';

// A mock of the two AWS services Bedrock batch jobs run on, reached by their real host names through
// a CONNECT proxy on 127.0.0.1 (the gateway gets `HTTPS_PROXY` and this mock's test CA in
// `NODE_EXTRA_CA_CERTS`; nothing leaves the machine). Every request's SigV4 signature is checked
// (./aws-sigv4-check.ts, independent of pk's signer) with the service its host names, and answered in
// the services' formats: S3 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
// API_GetObject.html, API_HeadObject.html, API_DeleteObject.html, API_ListObjectsV2.html, errors in XML: ErrorResponses.html) and the Bedrock control plane's batch
// inference jobs (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html,
// API_GetModelInvocationJob.html, API_ListModelInvocationJobs.html, API_StopModelInvocationJob.html;
// JSON, the error type in `x-amzn-errortype`). A completed job's output follows
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html.

const fixture = (name: string): Buffer => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url));

/** The test CA of this mock (its key was discarded). */
export const BEDROCK_BATCHES_CA_PATH = new URL('../__fixtures__/bedrock-batches-ca.pem', import.meta.url)
  .pathname;

/** The bucket the test certificate covers. */
export const BATCH_BUCKET = 'pk-batches';
const S3_HOST = `${BATCH_BUCKET}.s3.us-east-1.amazonaws.com`;
const BEDROCK_HOST = 'bedrock.us-east-1.amazonaws.com';
const ACCOUNT = '123456789012';

/** One request as the mock received it. */
export interface AwsRequest {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
}

/** A batch inference job as Bedrock keeps it (GetModelInvocationJob's fields). */
export type MockJob = Record<string, unknown> & { jobArn: string; status: string };

export interface BedrockBatchMock {
  /** `http://127.0.0.1:<port>` of the CONNECT proxy. */
  readonly proxyUrl: string;
  readonly received: AwsRequest[];
  /** Access key id → secret the mock accepts. */
  readonly awsKeys: Map<string, string>;
  /** S3 objects by key (in {@link BATCH_BUCKET}). */
  readonly objects: Map<string, { body: Buffer; contentType: string; modified: Date }>;
  /** Jobs by job id. */
  readonly jobs: Map<string, MockJob>;
  /**
   * How many CreateModelInvocationJob calls to answer 500 after starting their job (a failure of
   * the answer, not of the job: Bedrock kept it, as after a lost response).
   */
  failCreates: number;
  /** Runs a job to its end: writes its `.out` object (Claude answers; `failRecord` gets an error). */
  complete(jobId: string, failRecord?: string): void;
  close(): Promise<void>;
}

const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function s3Error(status: number, code: string, message: string, extra = '') {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>4442587FB7D0A2F9</RequestId><HostId>mock</HostId></Error>`,
  };
}

function bedrockError(status: number, type: string, message: string) {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    },
    body: JSON.stringify({ message }),
  };
}

const json = (body: unknown, status = 200) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** `config[field].s3Uri` of a job's input or output data config, or `''`. */
function s3UriAt(config: unknown, field: string): string {
  const inner = (config as Record<string, unknown> | undefined)?.[field] as
    | Record<string, unknown>
    | undefined;
  return typeof inner?.s3Uri === 'string' ? inner.s3Uri : '';
}

/** The key of an S3 object from the request path (segments percent-decoded). */
const keyOf = (path: string): string =>
  (path.split('?')[0] ?? '')
    .slice(1)
    .split('/')
    .map((segment) => decodeURIComponent(segment))
    .join('/');

export async function startBedrockBatchMock(): Promise<BedrockBatchMock> {
  const received: AwsRequest[] = [];
  const awsKeys = new Map<string, string>();
  const objects = new Map<string, { body: Buffer; contentType: string; modified: Date }>();
  const jobs = new Map<string, MockJob>();
  const sockets = new Set<Socket>();

  function signatureProblem(request: AwsRequest, service: string): string | undefined {
    const facts = sigV4FactsOf(request.headers);
    if (facts === undefined) return 'missing';
    const secret = awsKeys.get(facts.accessKeyId);
    if (secret === undefined) return 'unknown key';
    if (!facts.scope.endsWith(`/us-east-1/${service}/aws4_request`))
      return `scope ${facts.scope} is not us-east-1/${service}`;
    return checkSigV4(request, secret, { service });
  }

  function s3(request: AwsRequest) {
    const problem = signatureProblem(request, 's3');
    if (problem === 'unknown key')
      return s3Error(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    if (problem !== undefined) {
      return s3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        `<AWSAccessKeyId>${sigV4FactsOf(request.headers)?.accessKeyId}</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n${String(request.headers['x-amz-date'])}</StringToSign><CanonicalRequest>${request.method} ${request.path}</CanonicalRequest>`,
      );
    }
    if (request.headers['x-amz-content-sha256'] !== sha256Hex(request.raw)) {
      return s3Error(
        400,
        'XAmzContentSHA256Mismatch',
        'The provided x-amz-content-sha256 header does not match what was computed.',
      );
    }
    const key = keyOf(request.path);
    if (request.method === 'PUT') {
      objects.set(key, {
        body: request.raw,
        contentType: String(request.headers['content-type'] ?? 'binary/octet-stream'),
        modified: new Date(),
      });
      return {
        status: 200,
        headers: { etag: `"${createHash('md5').update(request.raw).digest('hex')}"` },
        body: '',
      };
    }
    if (request.method === 'HEAD') {
      // HeadObject: the object's headers, no body (its 404 has none either).
      const object = objects.get(key);
      if (object === undefined) return { status: 404, headers: {}, body: '' };
      return {
        status: 200,
        headers: {
          'content-type': object.contentType,
          'content-length': String(object.body.length),
          'last-modified': object.modified.toUTCString(),
        },
        body: '',
      };
    }
    if (request.method === 'DELETE') {
      objects.delete(key);
      return { status: 204, headers: {}, body: '' };
    }
    if (request.method === 'GET' && key === '')
      return listObjects(new URLSearchParams(request.path.split('?')[1]));
    if (request.method === 'GET') {
      const object = objects.get(key);
      if (object === undefined) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
      return { status: 200, headers: { 'content-type': object.contentType }, body: object.body };
    }
    return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  /** ListObjectsV2 (`list-type=2`): keys in order, after `start-after`, under `prefix`, `max-keys` of them. */
  function listObjects(query: URLSearchParams) {
    if (query.get('list-type') !== '2')
      return s3Error(400, 'InvalidArgument', 'only ListObjectsV2 is mocked');
    const prefix = query.get('prefix') ?? '';
    const after = query.get('start-after') ?? '';
    const max = Number(query.get('max-keys') ?? '1000');
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, max);
    const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const contents = page
      .map((key) => {
        const object = objects.get(key);
        return `<Contents><Key>${xmlText(key)}</Key><LastModified>${object?.modified.toISOString()}</LastModified><ETag>"${createHash(
          'md5',
        )
          .update(object?.body ?? '')
          .digest(
            'hex',
          )}"</ETag><Size>${object?.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BATCH_BUCKET}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${keys.length > max}</IsTruncated>${contents}</ListBucketResult>`,
    };
  }

  function bedrock(request: AwsRequest) {
    const problem = signatureProblem(request, 'bedrock');
    if (problem === 'unknown key')
      return bedrockError(
        403,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    if (problem !== undefined)
      return bedrockError(
        403,
        'InvalidSignatureException',
        `The request signature we calculated does not match the signature you provided (${problem}).`,
      );
    const [path = '', search = ''] = request.path.split('?');
    if (request.method === 'POST' && path === '/model-invocation-job') {
      const body = JSON.parse(request.raw.toString('utf8')) as Record<string, unknown>;
      const input = s3UriAt(body.inputDataConfig, 's3InputDataConfig');
      if (
        typeof body.jobName !== 'string' ||
        typeof body.roleArn !== 'string' ||
        typeof body.modelId !== 'string'
      ) {
        return bedrockError(
          400,
          'ValidationException',
          '1 validation error detected: jobName, roleArn and modelId are required',
        );
      }
      // Bedrock's idempotency: a token it has seen gets the job that request started, not a new one.
      const token = typeof body.clientRequestToken === 'string' ? body.clientRequestToken : undefined;
      const seen = [...jobs.values()].find((job) => token !== undefined && job.clientRequestToken === token);
      if (seen !== undefined) return json({ jobArn: seen.jobArn });
      const key = input.replace(`s3://${BATCH_BUCKET}/`, '');
      if (!objects.has(key))
        return bedrockError(400, 'ValidationException', `The provided input S3 URI ${input} does not exist`);
      const id = randomBytes(9)
        .toString('base64url')
        .toLowerCase()
        .replace(/[^a-z0-9]/g, 'x')
        .slice(0, 12);
      const jobArn = `arn:aws:bedrock:us-east-1:${ACCOUNT}:model-invocation-job/${id}`;
      const now = new Date().toISOString();
      jobs.set(id, {
        jobArn,
        jobName: body.jobName,
        modelId: body.modelId,
        roleArn: body.roleArn,
        status: 'Submitted',
        submitTime: now,
        lastModifiedTime: now,
        inputDataConfig: body.inputDataConfig,
        outputDataConfig: body.outputDataConfig,
        timeoutDurationInHours: body.timeoutDurationInHours ?? 24,
        jobExpirationTime: new Date(Date.now() + 86_400_000).toISOString(),
        ...(token === undefined ? {} : { clientRequestToken: token }),
      });
      if (mock.failCreates > 0) {
        mock.failCreates -= 1;
        return bedrockError(
          500,
          'InternalServerException',
          'An internal server error occurred. Retry your request.',
        );
      }
      return json({ jobArn });
    }
    if (request.method === 'GET' && path === '/model-invocation-jobs') {
      const max = Number(new URLSearchParams(search).get('maxResults') ?? '1000');
      const all = [...jobs.values()].reverse();
      return json({
        invocationJobSummaries: all.slice(0, max),
        ...(all.length > max ? { nextToken: 'next-page' } : {}),
      });
    }
    const match = /^\/model-invocation-job\/([^/]+)(\/stop)?$/.exec(path);
    const identifier = decodeURIComponent(match?.[1] ?? '');
    const job = jobs.get(identifier.slice(identifier.lastIndexOf('/') + 1));
    if (match === null) return bedrockError(404, 'UnknownOperationException', 'unknown operation');
    if (job === undefined)
      return bedrockError(
        404,
        'ResourceNotFoundException',
        `The specified job ${identifier} could not be found.`,
      );
    if (request.method === 'GET' && match[2] === undefined) return json(job);
    if (request.method === 'POST' && match[2] === '/stop') {
      job.status = 'Stopping';
      job.lastModifiedTime = new Date().toISOString();
      return json({});
    }
    return bedrockError(404, 'UnknownOperationException', 'unknown operation');
  }

  function complete(jobId: string, failRecord?: string): void {
    const job = jobs.get(jobId);
    if (job === undefined) throw new Error(`no job ${jobId}`);
    const input = s3UriAt(job.inputDataConfig, 's3InputDataConfig').replace(`s3://${BATCH_BUCKET}/`, '');
    const output = s3UriAt(job.outputDataConfig, 's3OutputDataConfig').replace(`s3://${BATCH_BUCKET}/`, '');
    const records = (objects.get(input)?.body.toString('utf8') ?? '')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { recordId: string; modelInput: unknown });
    const lines = records.map(({ recordId, modelInput }) =>
      recordId === failRecord
        ? {
            recordId,
            modelInput,
            error: {
              errorCode: 400,
              errorMessage: 'Malformed input request, please reformat your input and try again.',
            },
          }
        : {
            recordId,
            modelInput,
            modelOutput: {
              id: `msg_bdrk_${recordId}`,
              type: 'message',
              role: 'assistant',
              model: 'claude-3-haiku-20240307',
              content: [{ type: 'text', text: `Answer to ${recordId}` }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 12, output_tokens: 4 },
            },
          },
    );
    const name = input.slice(input.lastIndexOf('/') + 1);
    objects.set(`${output}${jobId}/${name}.out`, {
      body: Buffer.from(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`),
      contentType: 'application/octet-stream',
      modified: new Date(),
    });
    job.status = failRecord === undefined ? 'Completed' : 'PartiallyCompleted';
    // GetModelInvocationJob's record counts (the API versions that report them).
    const failed = failRecord === undefined ? 0 : 1;
    job.totalRecordCount = records.length;
    job.processedRecordCount = records.length;
    job.successRecordCount = records.length - failed;
    job.errorRecordCount = failed;
    job.endTime = new Date().toISOString();
    job.lastModifiedTime = job.endTime;
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request: AwsRequest = {
      host: (incoming.headers.host ?? '').replace(/:443$/, ''),
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      raw: Buffer.concat(chunks),
    };
    received.push(request);
    const reply = request.host === S3_HOST ? s3(request) : bedrock(request);
    response.writeHead(reply.status, reply.headers);
    response.end(reply.body);
  }

  const tlsServer = createHttpsServer(
    {
      key: fixture('bedrock-batches-upstreams.key.pem'),
      cert: fixture('bedrock-batches-upstreams.cert.pem'),
    },
    (incoming, response) => {
      handle(incoming, response).catch(() => response.destroy());
    },
  );
  const proxy = createServer((_request, response) => {
    response.writeHead(405);
    response.end();
  });
  proxy.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const host = (request.url ?? '').replace(/:443$/, '');
    if (host !== S3_HOST && host !== BEDROCK_HOST) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tlsServer.emit('connection', socket);
  });
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const mock: BedrockBatchMock = {
    proxyUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    received,
    awsKeys,
    objects,
    jobs,
    failCreates: 0,
    complete,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
  return mock;
}

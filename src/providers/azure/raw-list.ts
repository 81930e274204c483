import type { ServiceClient } from "@azure/core-client";
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";

/**
 * The api-version @azure/arm-network's client sends (a constant inside the package, so it moves
 * with the pinned version; test/integration/azure/raw-list.test.ts checks the two agree).
 */
export const NETWORK_API_VERSION = "2025-05-01";

/**
 * Every item of an ARM list (`{ value, nextLink }` pages, followed to the end) as the wire JSON,
 * sent through `client`'s own pipeline — credential, retries, pacing, timeout and request reports
 * as for its SDK calls — but without the classic SDKs' model deserialiser, which walks every
 * property of the model for each item (in the scale benchmark's 1,000-VM plan, ~70 ms of CPU for
 * its 333 network interfaces). Callers read the few wire fields they need (`properties.*` is not
 * flattened).
 * An error answer becomes the `RestError` the SDK would throw: status, ARM's code and message.
 */
export async function listRaw<T>(client: Pick<ServiceClient, "sendRequest">, url: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for (let next: string | undefined = url; next !== undefined;) {
    const request = createPipelineRequest({ url: next, method: "GET", ...(signal ? { abortSignal: signal } : {}) });
    request.headers.set("accept", "application/json");
    const response = await client.sendRequest(request);
    const body = parseBody(response.bodyAsText);
    if (response.status >= 400) {
      const error = (body.ok ? (body.value as { error?: { code?: string; message?: string } } | undefined)?.error : undefined);
      throw new RestError(error?.message ?? `HTTP ${response.status}`, { statusCode: response.status, request, response, ...(error?.code ? { code: error.code } : {}) });
    }
    if (!body.ok) throw new RestError(`the list page from ${new URL(next).pathname} is not JSON`, { code: RestError.PARSE_ERROR, statusCode: response.status, request, response });
    const page = body.value as { value?: T[]; nextLink?: string | null } | undefined;
    for (const item of page?.value ?? []) out.push(item);
    next = page?.nextLink ?? undefined;
  }
  return out;
}

function parseBody(text: string | null | undefined): { ok: true; value: unknown } | { ok: false } {
  if (!text) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

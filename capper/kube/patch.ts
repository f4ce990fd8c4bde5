// JSON merge patches with @kubernetes/client-node 1.x: the Content-Type must be set explicitly,
// otherwise the client sends json-patch and an object body is rejected (client-node #2160).
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ClimatikError } from '../../common/index.js';

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Wraps an API failure as CLIMATIK_KUBE_API naming the operation; keeps the cause. */
export function kubeError(operation: string, err: unknown): ClimatikError {
  const code = statusCode(err);
  const body = err instanceof ApiException ? String(typeof err.body === 'string' ? err.body : JSON.stringify(err.body)) : String(err);
  return new ClimatikError('CLIMATIK_KUBE_API', `${operation} failed${code === undefined ? '' : ` (HTTP ${code})`}: ${body.slice(0, 300)}`, { cause: err });
}

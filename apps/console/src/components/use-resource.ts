/** Loads a resource when the page (or the session's mode or tenant) changes, with reload, progress and error state. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../api/http';
import { useSession } from '../session/session-context';
import { toApiError } from './use-action';

export interface Resource<T> {
  data: T | undefined;
  loading: boolean;
  error: ApiError | undefined;
  reload: () => Promise<void>;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[] = []): Resource<T> {
  const { mode, tenantId } = useSession();
  const [data, setData] = useState<T | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | undefined>();
  // A new function whenever the mode, tenant or deps change, even when `load` is one stable function (`useResource(getMe)`):
  // useCallback would hand back that same function, and nothing would reload.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useMemo(() => () => load(), [mode, tenantId, ...deps]);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await stableLoad());
      setError(undefined);
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setLoading(false);
    }
  }, [stableLoad]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, loading, error, reload };
}

/**
 * How the import upload's parts are read (`nextPart` of imports.controller.ts)
 * against the real @fastify/multipart: a broken `application/json` options
 * part followed by the file reaches the route as the file first (the plugin
 * drops the part), but a broken one alone surfaces as the plugin's
 * FST_INVALID_JSON_FIELD_ERROR when the body ends, which the route must
 * answer as `invalid_json` rather than as a malformed body.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { DomainError } from '@sigil/platform';
import { nextPart } from './imports.controller';

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  await app.register(multipart);
  // What the route reads: the first part, then the next; the outcome of each, or the error that stopped it.
  app.post('/upload', async (req) => {
    const parts = req.parts();
    const seen: string[] = [];
    try {
      for (let part = await nextPart(parts); part; part = await nextPart(parts)) {
        seen.push(`${part.type}:${part.fieldname}`);
        if (part.type === 'file') await part.toBuffer();
      }
      return { seen };
    } catch (err) {
      const e = err as DomainError;
      return { seen, error: { status: e.status, code: e.code, message: e.message } };
    }
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

function body(parts: string[]): string {
  return [...parts.map((p) => `--b\r\n${p}\r\n`), '--b--\r\n'].join('');
}

const jsonOptions = (value: string) => `Content-Disposition: form-data; name="options"\r\nContent-Type: application/json\r\n\r\n${value}`;
const file = 'Content-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nEmail\nx@example.com\n';

async function upload(parts: string[]) {
  const res = await app.inject({ method: 'POST', url: '/upload', headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload: body(parts) });
  return res.json() as { seen: string[]; error?: { status: number; code: string; message: string } };
}

it('hands a valid application/json options part over, then the file', async () => {
  expect(await upload([jsonOptions('{"format":"csv"}'), file])).toEqual({ seen: ['field:options', 'file:file'] });
});

it('drops a broken application/json options part followed by a file: the route meets the file first', async () => {
  expect((await upload([jsonOptions('{not json'), file])).seen[0]).toBe('file:file');
});

it('reports a broken application/json options part alone as invalid_json', async () => {
  expect(await upload([jsonOptions('{not json')])).toEqual({
    seen: [],
    error: { status: 400, code: 'invalid_json', message: 'The `options` part is not valid JSON.' },
  });
});

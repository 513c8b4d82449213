/** What `npm start` prints once the platform is up: where the console, the API and its docs are, and the demo credentials. */
export function startBanner(base: string, demo: { key: string; email: string; password: string }): string {
  return [
    '',
    `Sigil is running.`,
    `  Console:   ${base}/console   (sign in with the demo login below)`,
    `  Gateway:   ${base}`,
    `  API docs:  ${base}/docs`,
    `  Demo key:  ${demo.key}`,
    `  Demo login (console and JWT sessions): ${demo.email} / ${demo.password}`,
    '',
    'Try it:',
    `  curl -s -X POST ${base}/v1/contacts -H "Authorization: Bearer ${demo.key}" -H 'content-type: application/json' -d '{"email":"ada@example.com","first_name":"Ada"}'`,
    `  curl -s ${base}/v1/me -H "Authorization: Bearer ${demo.key}"`,
    '',
    'Logs: .infra/logs/<service>.log   Stop: npm stop',
    '',
  ].join('\n');
}

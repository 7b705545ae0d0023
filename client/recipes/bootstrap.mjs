// Prints the bootstrap string of a bootstrap alias (the active cluster's broker names), for Node clients
// (e.g. KafkaJS: new Kafka({ brokers: (await bootstrap(alias)).split(',') })).
// Usage: node bootstrap.mjs kafka-producers.msk.internal [dns-server[:port]]
import { Resolver } from 'node:dns/promises';

export async function bootstrap(alias, server) {
  const resolver = new Resolver({ timeout: 2000, tries: 3 });
  if (server) resolver.setServers([server]);
  const records = await resolver.resolveTxt(alias);
  const ours = records.find((strings) => strings[0] === 'v=msk-bootstrap1');
  if (!ours) throw new Error(`no bootstrap alias record (v=msk-bootstrap1) at ${alias}`);
  return ours.filter((s) => s.startsWith('broker=')).map((s) => s.slice('broker='.length)).join(',');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [alias, server] = process.argv.slice(2);
  bootstrap(alias, server).then(console.log, (error) => { console.error(error.message); process.exit(1); });
}

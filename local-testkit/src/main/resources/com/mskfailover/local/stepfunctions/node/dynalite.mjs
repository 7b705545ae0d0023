// Starts dynalite, a DynamoDB-compatible server (in memory), on a free loopback port, prints the port on stdout and
// serves until the process is killed. Called by LocalDynamoDb. Tables are ACTIVE at once (no CREATING delay).
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));

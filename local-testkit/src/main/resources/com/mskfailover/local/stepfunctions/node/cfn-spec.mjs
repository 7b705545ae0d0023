// Prints, for each CloudFormation resource type named on the command line, its property names and whether
// each is required, from the resource specification in @aws-cdk/aws-service-spec (AWS::Serverless::* included).
// Output: {"AWS::SNS::Topic": {"known": true, "properties": {"TopicName": false, ...}}, ...}
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

const db = await loadAwsServiceSpec();
const answer = {};
for (const type of process.argv.slice(2)) {
  const found = db.lookup('resource', 'cloudFormationType', 'equals', type);
  const resource = found.length > 0 ? found[0] : undefined;
  if (!resource) {
    answer[type] = { known: false, properties: {} };
    continue;
  }
  const properties = {};
  for (const [name, property] of Object.entries(resource.properties)) properties[name] = property.required === true;
  answer[type] = { known: true, properties };
}
console.log(JSON.stringify(answer));

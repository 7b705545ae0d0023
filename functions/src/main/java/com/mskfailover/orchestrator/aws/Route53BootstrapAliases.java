package com.mskfailover.orchestrator.aws;

import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bootstrap aliases as TXT records in a Route 53 private hosted zone. A move is ONE ChangeResourceRecordSets
 * call UPSERTing every alias of the move (and its region.&lt;alias&gt; companion) (Route 53 applies a batch all or nothing); GetChange tells INSYNC.
 */
public final class Route53BootstrapAliases implements BootstrapAliases {

    private final Route53Client route53;
    private final String hostedZoneId;
    private final long ttlSeconds;

    public Route53BootstrapAliases(Route53Client route53, String hostedZoneId, long ttlSeconds) {
        this.route53 = route53;
        this.hostedZoneId = hostedZoneId;
        this.ttlSeconds = ttlSeconds;
    }

    @Override
    public Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames) {
        Map<String, BootstrapAliasRecord> records = new LinkedHashMap<>();
        for (String alias : aliasNames) {
            var response = AwsErrors.call("reading TXT record " + alias, () -> route53.listResourceRecordSets(request -> request
                    .hostedZoneId(hostedZoneId).startRecordName(alias).startRecordType(RRType.TXT).maxItems("1")));
            response.resourceRecordSets().stream()
                    .filter(set -> set.type() == RRType.TXT && sameName(set.name(), alias) && !set.resourceRecords().isEmpty())
                    .findFirst()
                    .ifPresent(set -> records.put(alias, BootstrapAliasRecord.fromTxtStrings(alias,
                            BootstrapAliasRecord.parseTxtValue(set.resourceRecords().getFirst().value()))));
        }
        return records;
    }

    @Override
    public String change(List<BootstrapAliasRecord> records, String comment) {
        // Each alias comes with region.<alias>, a TXT record holding only the Region: the form aws-msk-iam-auth's
        // Route53RegionProvider reads to pick its signing Region. Both move in the same batch.
        List<Change> changes = records.stream()
                .flatMap(record -> java.util.stream.Stream.of(
                        upsert(record.aliasName(), record.txtValue()),
                        upsert(regionRecordName(record.aliasName()), "\"" + record.region() + "\"")))
                .toList();
        return AwsErrors.call("changing alias records " + records.stream().map(BootstrapAliasRecord::aliasName).toList(),
                () -> route53.changeResourceRecordSets(request -> request.hostedZoneId(hostedZoneId)
                        .changeBatch(batch -> batch.comment(comment).changes(changes))).changeInfo().id());
    }

    /** The companion record that names the active cluster's Region for aws-msk-iam-auth's Route53RegionProvider. */
    public static String regionRecordName(String aliasName) {
        return "region." + aliasName;
    }

    private Change upsert(String name, String txtValue) {
        return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(name).type(RRType.TXT).ttl(ttlSeconds)
                .resourceRecords(ResourceRecord.builder().value(txtValue).build())
                .build()).build();
    }

    @Override
    public boolean isInSync(String changeId) {
        return AwsErrors.call("reading change " + changeId,
                () -> route53.getChange(request -> request.id(changeId)).changeInfo().status() == ChangeStatus.INSYNC);
    }

    private static boolean sameName(String recordName, String alias) {
        String strip = recordName.endsWith(".") ? recordName.substring(0, recordName.length() - 1) : recordName;
        String aliasStrip = alias.endsWith(".") ? alias.substring(0, alias.length() - 1) : alias;
        return strip.equalsIgnoreCase(aliasStrip);
    }
}

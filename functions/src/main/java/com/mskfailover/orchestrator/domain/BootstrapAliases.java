package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;

import java.util.List;

/** Port: the bootstrap alias records (Route 53 TXT records in a private hosted zone, a file locally). */
public interface BootstrapAliases extends AliasReader {

    /** Writes all the records in ONE change (atomic: all or none) and returns the change's id. */
    String change(List<BootstrapAliasRecord> records, String comment);

    /** Whether the change has reached every authoritative server (Route 53 INSYNC). */
    boolean isInSync(String changeId);
}

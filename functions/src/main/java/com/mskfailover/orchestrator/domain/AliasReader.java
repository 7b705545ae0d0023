package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;

import java.util.Collection;
import java.util.Map;

/** Port: reads the bootstrap alias records (what {@link BootstrapAliases} writes; DNS answers it too). */
public interface AliasReader {

    /** The current records of the given aliases; an alias without a record is absent from the map. */
    Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames);
}

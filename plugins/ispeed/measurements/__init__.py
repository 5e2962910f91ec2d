"""i-Speed measurements: the export contract, the file readers, the HTTP source, the expectation
suite and the load into the warehouse (landing folder -> stg_* -> fact_measurement / fact_quarantine)."""

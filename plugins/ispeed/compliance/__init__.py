"""4G compliance: the runner of include/sql/compliance/, its settings, and the one reader of the
compliance marts (mart_compliance_*)."""

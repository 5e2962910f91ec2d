-- The agency dimension is replaced as a whole; readers wait rather than see it half loaded.
lock table ispeed.dim_agency, ispeed.dim_agency_alias in exclusive mode;

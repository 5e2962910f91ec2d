-- The line sequence of a load's direct COPY (prepare_direct_copy.sql), once the load is over.
drop sequence if exists {sequence};

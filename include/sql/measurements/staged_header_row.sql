-- Whether a file COPYed directly holds its header again as a row (files concatenated): then the
-- file is read line by line, which flags that row.
select exists (select from {partition}
               where file_id = %(file_id)s and measurement_id = %(measurement_id)s and measured_at = %(measured_at)s);

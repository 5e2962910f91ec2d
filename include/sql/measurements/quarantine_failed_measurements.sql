-- Rows that break a rule go to quarantine, with the first rule they break, all the rules they
-- break, the column to look at and the row exactly as read (raw_row, kept by
-- check_staged_measurements.sql for the failing rows). A row measured in another month says which
-- (an export spanning a month's end is loaded by each month for its own rows: docs/corrections.md).
insert into ispeed.fact_quarantine
  (dataset, month, file_id, line_no, column_name, rule, failed_rules, message, raw_row, load_id)
select 'measurements', %(month)s, c.file_id, c.line_no, rule_info.column_name, c.failed_rules[1],
       c.failed_rules,
       case when c.failed_rules[1] = 'row_well_formed' and c.parse_error is not null
            then rule_info.message || ': ' || c.parse_error
            -- a row of another month is not lost: that month's load reads it from its own folder
            when c.failed_rules[1] = 'measured_at_in_month' and c.month_label is not null
            then rule_info.message || ': measured in ' || c.month_label || ', it belongs to that month; '
                 || 'put the file in landing/ispeed/' || c.month_label || '/ too, and that month''s load reads it'
            else rule_info.message end,
       c.raw_row,
       c.load_id
from {checked} c
join {rules_table} on rule_info.rule = c.failed_rules[1]
where cardinality(c.failed_rules) > 0;

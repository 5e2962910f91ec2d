-- The benchmark's history (python -m ispeed.bench --history N): %(n)s plausible facts in the month
-- %(m)s, straight in SQL (no files), so that a month's load and statistics run beside a full warehouse.
insert into ispeed.fact_measurement (
    month, measurement_id, measured_at, operator_code, network_type_code, area_code,
    download_mbps, upload_mbps, latency_ms, device_id, file_id, source_line, load_id
)
select
    %(m)s,
    'H' || g,
    %(m)s::timestamptz + (g %% 2500000) * interval '1 second',
    (array['VIETTEL', 'VINAPHONE', 'MOBIFONE', 'VIETNAMOBILE', 'GMOBILE'])[1 + g %% 5],
    '4G',
    (array['303', '304', '305', '306', '307', '308', '309', '311', '312', '313', '314', '315', '316', '317', '318'])[1 + g %% 15],
    10 + (g %% 90),
    5 + (g %% 20),
    20 + (g %% 50),
    'dev-' || (g %% 50000),
    0,
    g,
    0
from generate_series(1, %(n)s) as g

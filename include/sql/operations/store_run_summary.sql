-- The run's summary, replaced when the summarising task runs again (a cleared task).
insert into ispeed.meta_run_summary (run_id, month, dag_id, summary, text)
values (%(run_id)s, %(month)s, %(dag_id)s, %(summary)s::jsonb, %(text)s)
on conflict (run_id, month) do update
   set dag_id = excluded.dag_id, summary = excluded.summary, text = excluded.text, updated_at = now()
returning created_at, updated_at;

{#- Incremental by report: the big per-cell models (int_cells_selected, int_legacy_facts,
    int_fact_cells, fct_*) follow the set of reports upstream instead of being rebuilt whole.

    A report's rows depend only on the report itself: report_id is a hash of the file's
    bytes, and everything else that shapes the rows (parser, contracts, these models,
    the seeds) is code. A build starts from the last published database only when that
    code is unchanged (orchestration/code_version.py); any change starts from an empty
    database, where these models build in full. So, on an incremental run:
      * rows of reports no longer upstream (removed, changed, or no longer selected for
        their agency-year) are deleted, and the reports upstream but not here yet are
        listed: pre_hook follow_upstream_reports;
      * the rows of the listed reports are inserted: where new_reports_only.
    Everything else is untouched, and equals what a full build gives
    (tests/test_incremental.py compares the two row for row).

    Use:
      {{ config(materialized='incremental', incremental_strategy='delete+insert',
                unique_key='report_id', on_schema_change='fail',
                pre_hook="{{ follow_upstream_reports(ref('up'), 'filter') }}") }}
      ... where {{ new_reports_only('cells.report_id') }}

    The new report ids go to a temporary table first (<model>__new_reports), not into
    an `in (upstream except this)` subquery: DuckDB cannot know that subquery is small
    and built its hash table on the millions of upstream cells instead (int_fact_cells
    took 1.0-2.3 s to add nothing or 1,000 reports at 100k, 0.17-0.49 s with the table).
-#}

{% macro upstream_reports(upstream, upstream_filter) -%}
    {#- not null: one NULL would make `not in` false for every row, and delete nothing #}
    select distinct report_id from {{ upstream }} where report_id is not null and ({{ upstream_filter }})
{%- endmacro %}

{% macro new_reports_table() -%}
    "{{ this.identifier }}__new_reports"
{%- endmacro %}

{% macro new_reports_only(report_id_column) -%}
    {%- if is_incremental() -%}
    {{ report_id_column }} in (select report_id from {{ new_reports_table() }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{% macro follow_upstream_reports(upstream, upstream_filter='true') -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where report_id not in ({{ upstream_reports(upstream, upstream_filter) }});
    create or replace temporary table {{ new_reports_table() }} as
        {{ upstream_reports(upstream, upstream_filter) }}
        except
        select distinct report_id from {{ this }}
    {%- endif -%}
{%- endmacro %}

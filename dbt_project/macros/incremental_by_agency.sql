{#- Incremental by agency: the models whose rows depend on more than one report
    (int_agencies, int_report_selection, report_issues, dim_agency, dim_report,
    agency_year_summary) recompute only the agencies the last load touched, instead
    of being rebuilt whole (at 100k reports the six cost ~6.5 s a rebuild, mostly
    writing 50k-300k unchanged rows again).

    Why an agency is the unit: every row of these models depends only on the reports
    of one agency. Selection ranks the reports of one agency-year; the carry-over
    check compares two years of one agency; an agency's name and place come from its
    reports; a report's issue count and the agency-year summary follow from those.
    The load (orchestration/warehouse.py) records in raw.load_scope the agency_key of
    every report it deleted or inserted, and in raw.load_delta their report_ids (a
    report without agency has its own id only). Everything else in these models is
    code, and a code change starts from an empty database (full build), as for the
    per-report models (macros/incremental_by_report.sql). tests/test_incremental.py
    compares every table of a rebuild with a fresh build, row for row.

    Use (key: the column the model's rows are deleted by, agency_id or report_id):
      {{ config(materialized='incremental', incremental_strategy='append',
                on_schema_change='fail',
                pre_hook="{{ follow_load_scope('agency_id') }}") }}
      ... where {{ in_load_scope('agency_id') }}

    pre_hook follow_load_scope lists the keys in scope in a temporary table
    (<model>__scope), then deletes their rows; in_load_scope restricts the model's
    select to them. The keys of a report_id model are the reports (upstream) of the
    touched agencies plus the reports of raw.load_delta. Without raw.load_scope (a
    raw schema made by hand) everything is in scope: the model is rebuilt whole.
-#}

{% macro load_delta_relation() -%}
    {%- do return(adapter.get_relation(database=target.database, schema=var('build_scope_schema'),
                                       identifier=var('build_delta_table'))) -%}
{%- endmacro %}

{% macro load_scope_known() -%}
    {%- do return(build_scope_relation() is not none and load_delta_relation() is not none) -%}
{%- endmacro %}

{% macro load_scope_table() -%}
    "{{ this.identifier }}__scope"
{%- endmacro %}

{% macro touched_agencies() -%}
    select distinct {{ agency_id('agency_key') }} from {{ build_scope_relation() }} where agency_key is not null
{%- endmacro %}

{% macro follow_load_scope(key) -%}
    {%- if is_incremental() -%}
    {%- if load_scope_known() -%}
    create or replace temporary table {{ load_scope_table() }} as
    {%- if key == 'agency_id' %}
        {{ touched_agencies() }}
    {%- elif key == 'report_id' %}
        select report_id from {{ ref('stg_reports') }}
        where {{ agency_id('agency_key') }} in ({{ touched_agencies() }})
        union
        select report_id from {{ load_delta_relation() }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("follow_load_scope: key must be agency_id or report_id, not " ~ key) }}
    {%- endif %};
    delete from {{ this }} where {{ key }} in (select * from {{ load_scope_table() }})
    {%- else -%}
    delete from {{ this }}
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro in_load_scope(column) -%}
    {%- if is_incremental() and load_scope_known() -%}
    {{ column }} in (select * from {{ load_scope_table() }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

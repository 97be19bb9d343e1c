{#- Build scope: the agency-years a rebuild may have changed, so that the costly
    per-agency-year tests read only those (a test over 5.5 million fct_outcomes rows
    takes 1-2 s; a rebuild that adds 1,000 reports touches about 1 % of them).

    The load (orchestration/warehouse.py) records in raw.load_scope the (agency_key,
    year) of every report whose rows it deleted or inserted. Nothing else can change a
    row of an incremental model (macros/incremental_by_report.sql):
      * a report's rows depend only on its bytes and the code, and a changed code
        starts an empty database, where the load records every report;
      * which report stands for an agency-year depends only on the reports of that
        agency-year (int_report_selection).
    So the rows outside the scope are those of the published build, which passed the
    same tests with the same code. That holds for a relationships test too: a report
    leaves dim_report only with its file, and an agency leaves dim_agency only with
    all its reports, so their agency-years are in scope. A test opts in with
        config:
          where: "__in_build_scope__"      (or "not is_legacy and __in_build_scope__")
    on a model with agency_id and year columns. Without raw.load_scope (a raw schema
    made by hand, as in tests/dbt) the placeholder means every row.
-#}

{% macro build_scope_relation() -%}
    {%- do return(adapter.get_relation(database=target.database, schema=var('build_scope_schema'),
                                       identifier=var('build_scope_table'))) -%}
{%- endmacro %}

{% macro in_build_scope(alias=none) -%}
    {%- set scope = build_scope_relation() -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if scope is none -%}
    true
    {%- else -%}
    ({{ prefix }}agency_id, {{ prefix }}year) in (
        select {{ agency_id('agency_key') }}, year from {{ scope }})
    {%- endif -%}
{%- endmacro %}

{#- dbt's own get_where_subquery, with the placeholder above expanded. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- if '__in_build_scope__' in where -%}
            {%- set where = where | replace('__in_build_scope__', in_build_scope()) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

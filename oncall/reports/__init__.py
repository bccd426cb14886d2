"""Result objects of the commands: one object feeds both the table and ``--json``.

One convention: pydantic models (``oncall.reports.common.Report``). ``oncall.cli.output``
renders them as tables or, with ``--json``, as ``model_dump(mode="json")``. One module per
command area: ``roster`` (who, owners), ``schedule``, ``calendar``, ``validation``, ...
"""

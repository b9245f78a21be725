"""The learner summary: its rows for a customer, in one order, a page at a time (seed 003
"learner-summary Endpoint"; reference/enterprise.md §4.14; issue 4; ARCHITECTURE.md "Learner
summary"). The fields and how each is computed: learner_summary_columns.py.

Ordering: any listed field (``LearnerSummaryQuery.order_by``), ascending or descending; rows
without a value come last in both directions; ties are broken by the enterprise enrollment id
(ascending), so pages are stable. The default is the seed's: most recent ``last_activity_date``
first.

Cost: a page is one counting query plus one row query (two when a page straddles the boundary
between rows with and without a ``last_activity_date`` under that ordering), whatever its size.
The row query picks the page's ids in a subquery that joins and sorts only what the order needs,
and computes the row's columns (8 tables, 7 correlated subqueries) for those rows only. The
``last_activity_date`` orderings are read in two parts — rows that have a date, in the order of
the (customer, -last_activity_date) index, then the rows without one — so "nulls last" needs no
index of its own on either database (PostgreSQL's DESC index puts nulls first; SQLite cannot
declare NULLS LAST in an index at all). The count avoids a join per row; see
``_learner_summary_counts``. Other orderings sort all of the customer's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID

from django.db.models import F, Func, IntegerField, QuerySet, Subquery

from coursegate.enterprise.learner_summary_columns import (
    COLUMNS,
    LEARNER_SUMMARY_FIELDS,
    LEARNER_SUMMARY_NULL_FIELDS,
    ORDER_BY,
    summary_row,
)
from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseEnrollment

__all__ = [
    "LEARNER_SUMMARY_FIELDS",
    "LEARNER_SUMMARY_NULL_FIELDS",
    "LearnerSummaryQuery",
    "LearnerSummaryRows",
    "learner_summary_for_customer",
]


@dataclass(frozen=True)
class LearnerSummaryQuery:
    """Which rows, in which order: a customer's, ordered by ``order_by`` (one of
    ``LEARNER_SUMMARY_FIELDS``), descending or not. The default is the seed's: most recent
    ``last_activity_date`` first. Raises ValueError for a field that is not in the list."""

    customer_uuid: UUID
    order_by: str = "last_activity_date"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.order_by not in ORDER_BY:
            raise ValueError(f"unknown learner summary field {self.order_by!r}")


def _count(qs: QuerySet) -> Subquery:
    """``SELECT COUNT(*) ...`` of ``qs`` as a scalar subquery (no GROUP BY)."""
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=IntegerField())


def _learner_summary_counts(customer_uuid) -> dict[str, int]:
    """Row counts of the summary, in one query: ``total`` and ``without_activity`` (no
    ``last_activity_date``).

    Counted as "all of the customer's enterprise enrollments" (an index-only count over the
    (customer, -last_activity_date) index) minus "those of its inactive learner links" (through
    the learner links of that customer, a handful). A join with the learner links for every row
    would cost ~30x more at 100,000 rows. This relies on the domain's invariant that an
    enterprise enrollment's learner link is a link to the same customer (every writer —
    enterprise_enrollment_record, the bulk enrollment job — passes the customer's own link).
    """
    everyone = EnterpriseEnrollment.objects.filter(customer_id=customer_uuid)
    hidden = EnterpriseEnrollment.objects.filter(learner__customer_id=customer_uuid, learner__active=False)
    counts = (
        EnterpriseCustomer.objects.filter(pk=customer_uuid)
        .values(
            all=_count(everyone),
            all_without=_count(everyone.filter(last_activity_date__isnull=True)),
            hidden=_count(hidden),
            hidden_without=_count(hidden.filter(last_activity_date__isnull=True)),
        )
        .first()
    )
    if counts is None:
        return {"total": 0, "without_activity": 0}
    return {
        "total": counts["all"] - counts["hidden"],
        "without_activity": counts["all_without"] - counts["hidden_without"],
    }


@dataclass(frozen=True)
class _Part:
    """A run of consecutive rows: ``ids`` (the customer's visible enterprise enrollments, with
    only the joins and aliases the order needs) sorted by ``keys``."""

    ids: QuerySet
    keys: tuple

    def rows(self, lo: int, hi: int) -> list[dict]:
        """Rows ``lo:hi`` in one query: the page's ids are chosen by a subquery that sorts only
        what the order needs; the row columns are computed for those rows only. (Planning the
        ordered, limited 8-table join directly costs PostgreSQL 4-8 ms per request at 100,000
        rows; this shape about 1.5 ms.)"""
        page = self.ids.values("id")[lo:hi]
        qs = EnterpriseEnrollment.objects.filter(pk__in=page).values(**COLUMNS).order_by(*self.keys)
        return [summary_row(values) for values in qs]


@dataclass
class LearnerSummaryRows:
    """The learner summary of one customer in one order: what a Django paginator needs
    (``count()`` and slicing). Read from one run of rows, or from two consecutive ones (rows with
    a ``last_activity_date`` in the index's order, then rows without) for the
    ``last_activity_date`` orderings. Slices are lists of row dicts (see ``summary_row``)."""

    customer_uuid: object
    parts: list[_Part]
    split: bool = False  # parts = [rows with a last_activity_date, rows without]
    _sizes: list[int] | None = field(default=None, repr=False)
    ordered: ClassVar[bool] = True  # tells Django's paginator the rows are ordered

    def sizes(self) -> list[int]:
        if self._sizes is None:
            counts = _learner_summary_counts(self.customer_uuid)
            if self.split:
                self._sizes = [counts["total"] - counts["without_activity"], counts["without_activity"]]
            else:
                self._sizes = [counts["total"]]
        return self._sizes

    def count(self) -> int:
        return sum(self.sizes())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("LearnerSummaryRows supports slices only")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list[dict[str, Any]] = []
        offset = 0
        for part, size in zip(self.parts, self._part_sizes(), strict=True):
            lo, hi = max(start - offset, 0), min(stop - offset, size)
            if lo < hi:
                rows.extend(part.rows(lo, hi))
            offset += size
            if offset >= stop:
                break
        return rows

    def _part_sizes(self) -> list[int]:
        # A single run needs no count to be sliced (the paginator has counted already anyway).
        if not self.split and self._sizes is None:
            return [2**62]
        return self.sizes()


def learner_summary_for_customer(*, query: LearnerSummaryQuery) -> LearnerSummaryRows:
    """The learner summary rows of ``query.customer_uuid`` in the query's order (see the module
    docstring for the ordering rules and the cost of a page)."""
    customer_uuid, name, descending = query.customer_uuid, query.order_by, query.descending
    visible = EnterpriseEnrollment.objects.filter(customer_id=customer_uuid, learner__active=True)

    if name == "last_activity_date":
        # Rows with a date in the index's order, then the others; see the module docstring.
        activity = F("last_activity_date").desc() if descending else F("last_activity_date").asc()
        keys: tuple[Any, ...] = (activity, "id")
        valued = visible.filter(last_activity_date__isnull=False).order_by(*keys)
        missing = visible.filter(last_activity_date__isnull=True).order_by("id")
        parts = [_Part(valued, keys), _Part(missing, ("id",))]
        return LearnerSummaryRows(customer_uuid=customer_uuid, parts=parts, split=True)

    aliases = {alias: COLUMNS[alias] for alias in ORDER_BY[name]}
    keys = (*(F(a).desc(nulls_last=True) if descending else F(a).asc(nulls_last=True) for a in aliases), "id")
    ids = visible.alias(**aliases).order_by(*keys)
    return LearnerSummaryRows(customer_uuid=customer_uuid, parts=[_Part(ids, keys)])

"""The outcome of one import, for the CLI and logs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: how many warnings a report keeps verbatim (the count is always complete)
WARNING_SAMPLE = 50


@dataclass
class ImportReport:
    """Counts for one ``import_path`` call.

    ``rows_read`` counts CSV records read (for applicants: rows of both files); ``stored`` new
    records; ``updated`` records already present whose data changed; ``unchanged`` records
    already present and identical; ``merged`` postings already stored from another board that
    this file lists too (attached as a further source); ``unknown_skills`` skills the source gave
    that the taxonomy does not know; ``closed`` postings closed by this run because their
    ``valid_through`` has passed; ``marked_stale`` postings no source has listed for several
    completed runs; ``duplicates`` rows repeating an earlier row's id in the same
    file; ``rejected`` ``(row, column, reason)`` per dropped row, ``row`` being the record's row
    as a spreadsheet shows the file (header = row 1, first record = row 2).
    """

    kind: str
    path: str
    rows_read: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: int = 0
    warning_samples: list[tuple[int, str, str]] = field(default_factory=list)
    employers_created: int = 0
    regions_added: int = 0
    merged: int = 0
    unknown_skills: int = 0
    closed: int = 0
    marked_stale: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists of ``[row, column, reason]``)."""
        return {
            "kind": self.kind,
            "path": self.path,
            "rows_read": self.rows_read,
            "stored": self.stored,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": len(self.duplicates),
            "rejected": [list(r) for r in self.rejected],
            "warnings": self.warnings,
            "warning_samples": [list(w) for w in self.warning_samples],
            "employers_created": self.employers_created,
            "regions_added": self.regions_added,
            "merged": self.merged,
            "unknown_skills": self.unknown_skills,
            "closed": self.closed,
            "marked_stale": self.marked_stale,
            "seconds": round(self.seconds, 2),
        }

    def summary(self, max_rejected: int = 20) -> str:
        """A few lines for a terminal (Chinese first, English after)."""
        lines = [
            f"导入 import {self.kind}: {self.path}",
            f"  读取 rows read {self.rows_read}; 新增 stored {self.stored}; 更新 updated {self.updated}; "
            f"未变 unchanged {self.unchanged}; 重复 duplicates {len(self.duplicates)}; "
            f"拒绝 rejected {len(self.rejected)}; 警告 warnings {self.warnings}",
            f"  合并 merged with another board {self.merged}; 未知技能 unknown skills {self.unknown_skills}; "
            f"过期关闭 closed (past validThrough) {self.closed}; 标记陈旧 marked stale {self.marked_stale}",
            f"  新建单位 employers created {self.employers_created}; 新增地区 regions added {self.regions_added}; "
            f"{self.seconds:.1f} s",
        ]
        for row, column, reason in self.rejected[:max_rejected]:
            lines.append(f"  拒绝 rejected: 第 {row} 行 row {row}, 列 column {column}: {reason}")
        if len(self.rejected) > max_rejected:
            lines.append(f"  … {len(self.rejected) - max_rejected} more rejected rows")
        return "\n".join(lines)

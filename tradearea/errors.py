"""Errors raised for bad input, naming the file, row and column at fault."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a file, a row or a column that cannot be used.

    Parameters
    ----------
    message : str
        What is wrong, in words a user understands.
    file : str, optional
        The file at fault (its name as the user gave it).
    row : int, optional
        The 1-based data row at fault (header excluded), as a spreadsheet user counts rows.
    column : str, optional
        The column at fault.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file!s}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class RegionNotFoundError(InputError):
    """A region pack that has not been built."""

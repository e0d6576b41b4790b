"""add customer email

Revision ID: d91f5c6e2a78
Revises: c4e8a7b3d215
Create Date: 2026-10-20 14:27:55.602981

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d91f5c6e2a78"
down_revision: str | Sequence[str] | None = "c4e8a7b3d215"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("email", sa.Text, nullable=True))
    op.create_index("ux_customers_email", "customers", ["email"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_customers_email", table_name="customers")
    op.drop_column("customers", "email")

"""index orders by creation time

Revision ID: c4e8a7b3d215
Revises: b7d2f41a9c03
Create Date: 2026-10-02 09:05:17.094412

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4e8a7b3d215"
down_revision: str | Sequence[str] | None = "b7d2f41a9c03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_created_at", "orders", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_created_at", table_name="orders")

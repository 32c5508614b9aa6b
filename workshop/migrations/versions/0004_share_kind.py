"""share kind (a link opens the team dashboard or the presenter view)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shares') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), server_default='dashboard',
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('shares') as batch:
        batch.drop_column('kind')

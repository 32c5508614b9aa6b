"""session revision, facilitator-key delay, dashboard share links

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sessions', sa.Column('revision', sa.Integer(), server_default='0',
                                        nullable=False))
    op.add_column('sessions', sa.Column('key_failures', sa.Integer(), server_default='0',
                                        nullable=False))
    op.add_column('sessions', sa.Column('key_retry_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.create_table('shares',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_shares_session_id'), 'shares', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_shares_session_id'), table_name='shares')
    op.drop_table('shares')
    op.drop_column('sessions', 'key_retry_at')
    op.drop_column('sessions', 'key_failures')
    op.drop_column('sessions', 'revision')

"""invitations: the other party of a relationship rates it too

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'invitations',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('relationship_id', sa.String(length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('inviter', sa.String(length=60), nullable=False),
        sa.Column('them', sa.String(length=60), nullable=False),
        sa.Column('dimensions', sa.JSON(), nullable=False),
        sa.Column('ratings', sa.JSON(), nullable=False),
        sa.Column('need_mine', sa.Text(), server_default='', nullable=False),
        sa.Column('need_theirs', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(op.f('ix_invitations_relationship_id'), 'invitations', ['relationship_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_invitations_relationship_id'), table_name='invitations')
    op.drop_table('invitations')

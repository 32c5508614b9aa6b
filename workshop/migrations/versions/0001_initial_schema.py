"""initial schema

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('facilitator_key_hash', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('current_phase', sa.String(length=40), nullable=True),
    sa.Column('phase_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name='ck_status_allowed'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('participants',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=True),
    sa.Column('display_name', sa.String(length=60), nullable=True),
    sa.Column('resume_hash', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inventory_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('health_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('resume_hash')
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_session_id'), ['session_id'], unique=False)

    op.create_table('relationships',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('participant_id', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('importance', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('last_contact', sa.Date(), nullable=True),
    sa.Column('cadence_days', sa.Integer(), nullable=False),
    sa.Column('shared_label', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('client', 'partner', 'vendor', 'referral source', 'colleague', 'other')", name='ck_kind_allowed'),
    sa.CheckConstraint('cadence_days BETWEEN 1 AND 730', name='ck_cadence_days_range'),
    sa.CheckConstraint('importance BETWEEN 1 AND 5', name='ck_importance_range'),
    sa.CheckConstraint('length(label) > 0', name='ck_label_not_empty'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relationships_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relationships_shared_label'), ['shared_label'], unique=False)

    op.create_table('checkins',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('relationship_id', sa.String(length=32), nullable=False),
    sa.Column('trend', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("trend IN ('improving', 'stable', 'declining')", name='ck_trend_allowed'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_relationship_id'), ['relationship_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('relationship_id', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("channel IN ('meeting', 'call', 'video call', 'email', 'message', 'event', 'other')", name='ck_channel_allowed'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_relationship_id'), ['relationship_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('relationship_id', sa.String(length=32), nullable=False),
    sa.Column('tone', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), server_default='', nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('need_mine', sa.Text(), server_default='', nullable=False),
    sa.Column('need_theirs', sa.Text(), server_default='', nullable=False),
    sa.Column('commitments', sa.JSON(), nullable=False),
    sa.Column('meeting_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('followup_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'met', 'reconnected', 'paused')", name='ck_status_allowed'),
    sa.CheckConstraint('followup_days BETWEEN 1 AND 365', name='ck_followup_days_range'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_relationship_id'), ['relationship_id'], unique=False)

    op.create_table('ratings',
    sa.Column('checkin_id', sa.String(length=32), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name='ck_rating_range'),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('checkin_id', 'dimension')
    )


def downgrade() -> None:
    op.drop_table('ratings')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_relationship_id'))

    op.drop_table('plans')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_relationship_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_relationship_id'))

    op.drop_table('checkins')
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relationships_shared_label'))
        batch_op.drop_index(batch_op.f('ix_relationships_participant_id'))

    op.drop_table('relationships')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_session_id'))

    op.drop_table('participants')
    op.drop_table('sessions')

// The portable schema shared by both backends. Kept by hand in step with
// migrations/{postgres,sqlite}; `tests/store/schema_parity.rs` checks all three agree.

diesel::table! {
    instance_settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        tier -> Text,
        tier_pinned -> Bool,
        passkey_only -> Bool,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    groups (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        tier -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> Text,
        role -> Text,
        granted_at -> Timestamp,
        granted_by -> Nullable<Text>,
    }
}

diesel::table! {
    credentials (id) {
        id -> Text,
        user_id -> Text,
        webauthn_id -> Binary,
        label -> Text,
        passkey_json -> Text,
        aaguid -> Nullable<Text>,
        backup_eligible -> Bool,
        backup_state -> Bool,
        attested -> Bool,
        attestation_format -> Nullable<Text>,
        attestation_json -> Nullable<Text>,
        sign_count -> BigInt,
        clone_suspected_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        pending_action_id -> Nullable<Text>,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        batch_id -> Text,
        code_hash -> Binary,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        email -> Text,
        token_hash -> Binary,
        grants_admin -> Bool,
        invited_by -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_user_id -> Nullable<Text>,
        tier -> Text,
        group_ids -> Text,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        name -> Text,
        secret_hash -> Nullable<Binary>,
        auth_method -> Text,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        min_acr -> Nullable<Text>,
        first_party -> Bool,
        id_token_alg -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
        allowed_scopes -> Text,
        allowed_resources -> Text,
        previous_secret_hash -> Nullable<Binary>,
        previous_secret_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    client_presentations (client_id) {
        client_id -> Text,
        client_uri -> Nullable<Text>,
        policy_uri -> Nullable<Text>,
        tos_uri -> Nullable<Text>,
        logo_uri -> Nullable<Text>,
        logo_type -> Nullable<Text>,
        logo -> Nullable<Binary>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consents (user_id, client_id) {
        user_id -> Text,
        client_id -> Text,
        scopes -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    refresh_token_families (id) {
        id -> Text,
        client_id -> Text,
        user_id -> Text,
        session_id -> Nullable<Text>,
        scope -> Text,
        acr -> Text,
        amr -> Text,
        auth_time -> Timestamp,
        generation -> BigInt,
        current_token_hash -> Binary,
        code_hash -> Nullable<Binary>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        resources -> Text,
    }
}

diesel::table! {
    refresh_tokens_used (token_hash) {
        token_hash -> Binary,
        family_id -> Text,
        generation -> BigInt,
        used_at -> Timestamp,
    }
}

diesel::table! {
    token_revocations (id) {
        id -> Text,
        revoked_key -> Text,
        issued_up_to -> Nullable<Timestamp>,
        keep_until -> Timestamp,
    }
}

diesel::table! {
    ended_sessions (sid) {
        sid -> Text,
        ended_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> Text,
        alg -> Text,
        state -> Text,
        public_jwk -> Text,
        private_key_sealed -> Binary,
        created_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
        retired_at -> Nullable<Timestamp>,
        publish_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attestation_policies (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        attestation -> Text,
        require_device_bound -> Bool,
        require_uv -> Bool,
        aaguid_allowlist -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        min_certification -> Nullable<Text>,
        refuse_compromised -> Bool,
    }
}

diesel::table! {
    policy_assignments (id) {
        id -> Text,
        policy_id -> Text,
        target_kind -> Text,
        target_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    authenticator_metadata (aaguid) {
        aaguid -> Text,
        description -> Text,
        authenticator_version -> Nullable<BigInt>,
        key_protection -> Text,
        attestation_roots -> Text,
        certification_level -> Nullable<Text>,
        status_reports -> Text,
        blob_serial -> BigInt,
        next_update -> Timestamp,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    metadata_blob (id) {
        id -> Integer,
        serial -> BigInt,
        next_update -> Timestamp,
        entries -> BigInt,
        sha256 -> Text,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    guarded_actions (id) {
        id -> Text,
        user_id -> Text,
        action -> Text,
        state -> Text,
        tier -> Text,
        requested_by -> Nullable<Text>,
        requester_session -> Nullable<Text>,
        payload -> Text,
        factors_required -> BigInt,
        approvals_required -> BigInt,
        oob_required -> Bool,
        delay_seconds -> BigInt,
        failed_attempts -> BigInt,
        cancel_token_hash -> Nullable<Binary>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        eligible_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        denied_at -> Nullable<Timestamp>,
        policy -> Text,
        version -> BigInt,
        expired_at -> Nullable<Timestamp>,
        locked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    guarded_action_factors (id) {
        id -> Text,
        action_id -> Text,
        kind -> Text,
        detail -> Text,
        verified_at -> Timestamp,
    }
}

diesel::table! {
    approvals (id) {
        id -> Text,
        action_id -> Text,
        admin_user_id -> Text,
        decision -> Text,
        comment -> Text,
        user_verified_at -> Timestamp,
        created_at -> Timestamp,
        credential_id -> Nullable<Text>,
    }
}

diesel::table! {
    oob_verifications (id) {
        id -> Text,
        action_id -> Text,
        admin_user_id -> Text,
        method -> Text,
        evidence -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    enrolment_grants (id) {
        id -> Text,
        user_id -> Text,
        action_id -> Nullable<Text>,
        token_hash -> Binary,
        session_binding -> Binary,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        available_at -> Timestamp,
        attempts -> BigInt,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        occurred_at -> Timestamp,
        kind -> Text,
        actor -> Nullable<Text>,
        subject -> Nullable<Text>,
        ip -> Nullable<Text>,
        detail -> Text,
        prev_hash -> Binary,
        hash -> Binary,
    }
}

diesel::table! {
    browser_sessions (id_hash) {
        id_hash -> Binary,
        user_id -> Text,
        data -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        idle_expires_at -> Timestamp,
        absolute_expires_at -> Timestamp,
    }
}

diesel::table! {
    ephemeral_values (key) {
        key -> Text,
        value -> Binary,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    rate_counters (key) {
        key -> Text,
        count -> BigInt,
        window_ends_at -> Timestamp,
    }
}

diesel::table! {
    daily_counts (day, metric, key) {
        day -> Text,
        metric -> Text,
        key -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    rollup_cursors (name) {
        name -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    recovery_policies (tier, action) {
        tier -> Text,
        action -> Text,
        policy -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::joinable!(group_members -> groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(credentials -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(invitations -> users (invited_by));
diesel::joinable!(consents -> users (user_id));
diesel::joinable!(client_presentations -> clients (client_id));
diesel::joinable!(consents -> clients (client_id));
diesel::joinable!(refresh_token_families -> clients (client_id));
diesel::joinable!(refresh_token_families -> users (user_id));
diesel::joinable!(refresh_tokens_used -> refresh_token_families (family_id));
diesel::joinable!(policy_assignments -> attestation_policies (policy_id));
diesel::joinable!(guarded_actions -> users (user_id));
diesel::joinable!(guarded_action_factors -> guarded_actions (action_id));
diesel::joinable!(approvals -> guarded_actions (action_id));
diesel::joinable!(approvals -> users (admin_user_id));
diesel::joinable!(oob_verifications -> guarded_actions (action_id));
diesel::joinable!(oob_verifications -> users (admin_user_id));
diesel::joinable!(enrolment_grants -> users (user_id));
diesel::joinable!(enrolment_grants -> guarded_actions (action_id));

diesel::allow_tables_to_appear_in_same_query!(
    client_presentations,
    recovery_policies,
    daily_counts,
    rollup_cursors,
    instance_settings,
    users,
    groups,
    group_members,
    user_roles,
    credentials,
    recovery_codes,
    invitations,
    clients,
    consents,
    refresh_token_families,
    refresh_tokens_used,
    token_revocations,
    ended_sessions,
    signing_keys,
    attestation_policies,
    policy_assignments,
    authenticator_metadata,
    metadata_blob,
    guarded_actions,
    guarded_action_factors,
    approvals,
    oob_verifications,
    enrolment_grants,
    outbox,
    audit_events,
    browser_sessions,
    ephemeral_values,
    rate_counters,
);

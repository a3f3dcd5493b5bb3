; The machine description tables: the board builds them (ACPI, SMBIOS, the MP table, $PIR) and
; offers them in QEMU's fw_cfg (docs/specs/fw_cfg.rst: selector port 510h, data port 511h, the
; file directory at key 19h); POST puts them in memory here, as SeaBIOS does with the same files:
;
; - etc/table-loader (ACPI) and etc/emu/table-loader (MP, $PIR) are BIOS linker/loader scripts
;   (QEMU's hw/acpi/bios-linker-loader.c): 128-byte entries, ALLOCATE (1) copies a fw_cfg file
;   into the high zone or the F segment, ADD_POINTER (2) adds one file's address to a pointer
;   in another, ADD_CHECKSUM (3) subtracts a range's byte sum from a checksum byte. Other
;   commands are skipped, as SeaBIOS does.
; - etc/smbios/smbios-anchor and smbios-tables (SMBIOS 2.8 entry point and structures, as QEMU
;   gives them): the structures go to the high zone after this BIOS's own type 0 (BIOS
;   Information, which only the firmware knows), the entry point to the F segment with the
;   table's address, length, count and checksums fixed (DSP0134 5.2.1).
;
; The high zone is the last HIGH_ZONE bytes of RAM below 4 GiB, reported reserved (E820 type 2,
; as SeaBIOS reports its high zone: the SMBIOS and MP data must stay after the OS boots); the
; F-segment zone is fseg_zone below, inside the reserved E0000-FFFFF. POST runs this in 32-bit
; flat protected mode (Intel SDM vol. 3, 9.9), so the loader reaches all of memory; the F
; segment is still writable then (shadow_bios), and lock_bios write-protects it afterwards.

HIGH_ZONE       equ     0x10000
FSEG_ZONE       equ     0x800
BIOS_LINEAR     equ     0xF0000
LOADER_ENTRY    equ     128
LOADER_NAME     equ     56
; Scratch memory below 1 MiB, free during POST: the fw_cfg file directory, the script being
; run, the loaded-file records (name pointer, address, size, 16 bytes each), the SMBIOS anchor.
TBL_DIR         equ     0x38000
TBL_SCRIPT      equ     0x39000
TBL_SCRIPT_MAX  equ     0x2000
TBL_FILES       equ     0x3B000
TBL_FILES_MAX   equ     16
TBL_ANCHOR      equ     0x3B200

; A fw_cfg file name as loader scripts hold it: NUL-padded to 56 bytes.
%macro fw_name 1
%%start: db      %1
        times   LOADER_NAME - ($ - %%start) db 0
%endmacro

; tables_setup: installs the tables; sets tables_base (where the high zone starts, or ram_top
; when the board has no fw_cfg). Called once by POST with interrupts off and SS = 0.
tables_setup:
        pushad
        push    ds
        push    es
        push    fs
        push    gs
        mov     eax, [cs:ram_top]
        mov     [cs:tables_base], eax
        call    fwcfg_present
        jc      .done
        mov     eax, [cs:ram_top]
        cmp     eax, 0x100000 + 2 * HIGH_ZONE
        jb      .done                   ; too little RAM above 1 MiB for the zone: no tables
        sub     eax, HIGH_ZONE
        mov     [cs:tables_base], eax
        mov     [cs:high_next], eax
        add     dword [cs:high_next], HIGH_ZONE
        mov     dword [cs:fseg_next], BIOS_LINEAR + fseg_zone
        in      al, 0x92
        push    ax
        or      al, 0x02                ; A20 on (bit 0 would reset the CPU)
        and     al, 0xFE
        out     0x92, al
        o32 lgdt [cs:tables_gdt_desc]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword 0x08:.pm32
        bits    32
.pm32:  mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        movzx   esp, sp
        call    tables_load
        jmp     0x18:.pm16
        bits    16
.pm16:  mov     ax, 0x20                ; real-mode limits on the way back
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     eax, cr0
        and     al, 0xFE
        mov     cr0, eax
        jmp     0xF000:.real
.real:  xor     ax, ax
        mov     ss, ax
        pop     ax                      ; the caller's A20
        and     al, 0xFE
        out     0x92, al
        mov     eax, [cs:tables_base]   ; nothing loaded: no high zone to reserve
        add     eax, HIGH_ZONE
        cmp     eax, [cs:high_next]
        jne     .done
        mov     eax, [cs:ram_top]
        mov     [cs:tables_base], eax
.done:  pop     gs
        pop     fs
        pop     es
        pop     ds
        popad
        ret

        bits    32
; ---- 32-bit flat code: CS base F0000 (labels are offsets), DS = ES = SS base 0 ----

; tables_load: the file directory, then the two scripts and SMBIOS.
tables_load:
        mov     ax, FWCFG_FILE_DIR
        call    tables_fwcfg_select
        mov     edi, TBL_DIR
        mov     ecx, 4
        call    tables_fwcfg_read
        mov     eax, [TBL_DIR]
        bswap   eax                     ; the directory is big-endian
        cmp     eax, (TBL_SCRIPT - TBL_DIR - 4) / 64
        jbe     .count
        mov     eax, (TBL_SCRIPT - TBL_DIR - 4) / 64
.count: mov     [TBL_DIR], eax
        shl     eax, 6
        mov     ecx, eax
        mov     edi, TBL_DIR + 4
        call    tables_fwcfg_read
        mov     esi, BIOS_LINEAR + name_acpi_loader
        call    run_loader
        mov     esi, BIOS_LINEAR + name_emu_loader
        call    run_loader
        mov     esi, BIOS_LINEAR + name_emu_pir
        call    find_loaded
        jc      .no_pir
        mov     eax, [ebx + 4]
        mov     [BIOS_LINEAR + pir_address], eax
.no_pir:
        jmp     smbios_install

; tables_fwcfg_select: selects item AX. tables_fwcfg_read: ECX bytes of the selected item to [EDI].
; The 32-bit counterparts of fwcfg.asm's fwcfg_select and fwcfg_read (its 16-bit code does not
; run here: operand and address sizes flip in a 32-bit segment, Intel SDM vol. 1, 3.6).
tables_fwcfg_select:
        mov     dx, FWCFG_SELECTOR
        out     dx, ax
        ret
tables_fwcfg_read:
        mov     dx, FWCFG_DATA
        rep     insb
        ret

; find_file: ESI = a 56-byte name -> CF clear, AX = selector, ECX = size; CF set if absent.
find_file:
        push    ebx
        push    edi
        mov     ebx, TBL_DIR + 4
        mov     ecx, [TBL_DIR]
.next:  jecxz   .none
        push    ecx
        push    esi
        lea     edi, [ebx + 8]
        mov     ecx, LOADER_NAME
        repe    cmpsb
        pop     esi
        pop     ecx
        je      .found
        add     ebx, 64
        dec     ecx
        jmp     .next
.found: mov     ax, [ebx + 4]
        xchg    al, ah
        mov     ecx, [ebx]
        bswap   ecx
        pop     edi
        pop     ebx
        clc
        ret
.none:  pop     edi
        pop     ebx
        stc
        ret

; alloc: ECX = size, EAX = alignment (a power of 2), DL = zone (1 high, 2 F segment) -> EAX =
; the address, CF set when the zone is full or unknown.
alloc:
        push    ebx
        dec     eax
        cmp     dl, 1
        je      .high
        cmp     dl, 2
        jne     .fail
        mov     ebx, [BIOS_LINEAR + fseg_next]
        add     ebx, eax
        not     eax
        and     eax, ebx
        mov     ebx, eax
        add     ebx, ecx
        jc      .fail
        cmp     ebx, BIOS_LINEAR + fseg_zone + FSEG_ZONE
        ja      .fail
        mov     [BIOS_LINEAR + fseg_next], ebx
        jmp     .ok
.high:  mov     ebx, [BIOS_LINEAR + high_next]
        sub     ebx, ecx
        jc      .fail
        not     eax
        and     eax, ebx
        cmp     eax, [BIOS_LINEAR + tables_base]
        jb      .fail
        mov     [BIOS_LINEAR + high_next], eax
.ok:    pop     ebx
        clc
        ret
.fail:  pop     ebx
        stc
        ret

; find_loaded: ESI = a 56-byte name -> EBX = its record in TBL_FILES, CF set if not allocated.
find_loaded:
        push    ecx
        push    edi
        push    edx
        mov     ebx, TBL_FILES
        mov     edx, [BIOS_LINEAR + tbl_file_count]
.next:  test    edx, edx
        jz      .none
        push    esi
        mov     edi, [ebx]
        mov     ecx, LOADER_NAME
        repe    cmpsb
        pop     esi
        je      .found
        add     ebx, 16
        dec     edx
        jmp     .next
.found: pop     edx
        pop     edi
        pop     ecx
        clc
        ret
.none:  pop     edx
        pop     edi
        pop     ecx
        stc
        ret

; run_loader: runs the loader script named at ESI, if fw_cfg has it. Each script names only
; the files it allocates itself (the records point at names in the script buffer).
run_loader:
        mov     dword [BIOS_LINEAR + tbl_file_count], 0
        call    find_file
        jc      .ret
        cmp     ecx, TBL_SCRIPT_MAX
        jbe     .size
        mov     ecx, TBL_SCRIPT_MAX
.size:  and     ecx, ~(LOADER_ENTRY - 1)
        push    ecx
        call    tables_fwcfg_select
        mov     edi, TBL_SCRIPT
        call    tables_fwcfg_read
        pop     ecx
        mov     ebp, TBL_SCRIPT
        add     ecx, ebp
.entry: cmp     ebp, ecx
        jae     .ret
        push    ecx
        mov     eax, [ebp]
        cmp     eax, 1
        je      .allocate
        cmp     eax, 2
        je      .pointer
        cmp     eax, 3
        je      .checksum
.next:  pop     ecx
        add     ebp, LOADER_ENTRY
        jmp     .entry
.ret:   ret

.allocate:
        ; file name at +4, 32-bit alignment at +60, zone at +64
        mov     eax, [BIOS_LINEAR + tbl_file_count]
        cmp     eax, TBL_FILES_MAX
        jae     .next
        lea     esi, [ebp + 4]
        call    find_file
        jc      .next
        mov     ebx, eax                ; BX = selector
        mov     eax, [ebp + 4 + LOADER_NAME]
        test    eax, eax
        jz      .next
        lea     edx, [eax - 1]
        test    eax, edx
        jnz     .next                   ; not a power of 2
        mov     dl, [ebp + 8 + LOADER_NAME]
        call    alloc
        jc      .alloc_failed
        mov     edi, [BIOS_LINEAR + tbl_file_count]
        shl     edi, 4
        add     edi, TBL_FILES
        lea     edx, [ebp + 4]
        mov     [edi], edx
        mov     [edi + 4], eax
        mov     [edi + 8], ecx
        inc     dword [BIOS_LINEAR + tbl_file_count]
        mov     edi, eax
        mov     ax, bx
        call    tables_fwcfg_select
        call    tables_fwcfg_read
        jmp     .next
.alloc_failed:
        call    tables_no_room
        jmp     .next

.pointer:
        ; destination at +4, source at +60, offset at +116, size at +120
        lea     esi, [ebp + 4 + LOADER_NAME]
        call    find_loaded
        jc      .next
        mov     eax, [ebx + 4]          ; the source's address
        lea     esi, [ebp + 4]
        call    find_loaded
        jc      .next
        mov     edx, [ebp + 4 + 2 * LOADER_NAME]
        movzx   ecx, byte [ebp + 8 + 2 * LOADER_NAME]
        mov     edi, edx
        add     edi, ecx
        jc      .next
        cmp     edi, [ebx + 8]
        ja      .next                   ; outside the destination
        add     edx, [ebx + 4]
        cmp     cl, 1
        je      .p1
        cmp     cl, 2
        je      .p2
        cmp     cl, 4
        je      .p4
        cmp     cl, 8
        jne     .next
        add     [edx], eax
        adc     dword [edx + 4], 0
        jmp     .next
.p4:    add     [edx], eax
        jmp     .next
.p2:    add     [edx], ax
        jmp     .next
.p1:    add     [edx], al
        jmp     .next

.checksum:
        ; file at +4, checksum offset at +60, start at +64, length at +68
        lea     esi, [ebp + 4]
        call    find_loaded
        jc      .next
        mov     edx, [ebp + 4 + LOADER_NAME]
        cmp     edx, [ebx + 8]
        jae     .next
        mov     esi, [ebp + 8 + LOADER_NAME]
        mov     ecx, [ebp + 12 + LOADER_NAME]
        mov     eax, esi
        add     eax, ecx
        jc      .next
        cmp     eax, [ebx + 8]
        ja      .next
        add     esi, [ebx + 4]
        call    sum_bytes
        add     edx, [ebx + 4]
        sub     [edx], al
        jmp     .next

; sum_bytes: AL = the 8-bit sum of ECX bytes at ESI.
sum_bytes:
        push    ecx
        push    esi
        xor     eax, eax
        jecxz   .done
.add:   add     al, [esi]
        inc     esi
        loop    .add
.done:  pop     esi
        pop     ecx
        ret

; tables_no_room: a zone is full; says so on the debug console (a table is missing then).
tables_no_room:
        push    esi
        push    eax
        mov     esi, BIOS_LINEAR + msg_no_room
.put:   lodsb
        test    al, al
        jz      .done
        out     DEBUGCON_PORT, al
        jmp     .put
.done:  pop     eax
        pop     esi
        ret

; smbios_install: the SMBIOS 2.x entry point and structure table, with this BIOS's type 0 first.
smbios_install:
        mov     esi, BIOS_LINEAR + name_smbios_anchor
        call    find_file
        jc      .ret
        cmp     ecx, SMBIOS_ANCHOR_LENGTH
        jne     .ret
        call    tables_fwcfg_select
        mov     edi, TBL_ANCHOR
        call    tables_fwcfg_read
        cmp     dword [TBL_ANCHOR], '_SM_'
        jne     .ret
        mov     esi, BIOS_LINEAR + name_smbios_tables
        call    find_file
        jc      .ret
        movzx   edx, word [TBL_ANCHOR + 0x16]
        cmp     ecx, edx
        jne     .ret                    ; the anchor must describe this table
        mov     ebx, eax                ; BX = the tables' selector
        push    ecx
        add     ecx, SMBIOS_TYPE0_LENGTH
        mov     eax, 16
        mov     dl, 1
        call    alloc
        pop     ecx
        jc      .full
        mov     [TBL_ANCHOR + 0x18], eax
        mov     edi, eax
        mov     esi, BIOS_LINEAR + smbios_type0
        push    ecx
        mov     ecx, SMBIOS_TYPE0_LENGTH
        rep     movsb
        pop     ecx
        mov     ax, bx
        call    tables_fwcfg_select
        call    tables_fwcfg_read
        add     word [TBL_ANCHOR + 0x16], SMBIOS_TYPE0_LENGTH
        inc     word [TBL_ANCHOR + 0x1C]
        cmp     word [TBL_ANCHOR + 8], SMBIOS_TYPE0_LENGTH
        jae     .max
        mov     word [TBL_ANCHOR + 8], SMBIOS_TYPE0_LENGTH
.max:   ; The intermediate checksum covers 10h-1Eh, the entry point checksum all 1Fh bytes.
        mov     byte [TBL_ANCHOR + 0x15], 0
        mov     esi, TBL_ANCHOR + 0x10
        mov     ecx, SMBIOS_ANCHOR_LENGTH - 0x10
        call    sum_bytes
        sub     [TBL_ANCHOR + 0x15], al
        mov     byte [TBL_ANCHOR + 4], 0
        mov     esi, TBL_ANCHOR
        mov     ecx, SMBIOS_ANCHOR_LENGTH
        call    sum_bytes
        sub     [TBL_ANCHOR + 4], al
        mov     eax, 16
        mov     dl, 2
        call    alloc
        jc      .full
        mov     edi, eax
        mov     esi, TBL_ANCHOR
        rep     movsb
.ret:   ret
.full:  jmp     tables_no_room

        bits    16

SMBIOS_ANCHOR_LENGTH    equ     0x1F

; This BIOS's SMBIOS type 0, BIOS Information (DSP0134 2.8, 7.1; 18h bytes, handle 0): vendor,
; version, segment F000h, release date, ROM size (n + 1) * 64 KiB with n = 0; characteristics
; (7.1.1): ISA (bit 4), PCI (7), boot from CD (15), EDD (19), INT 09h keyboard (27), INT 14h
; serial (28), INT 17h printer (29);
; extension byte 1: ACPI (bit 0); release 0.2; no embedded controller (FFh).
smbios_type0:
        db      0, 0x18
        dw      0x0000
        db      1, 2
        dw      0xF000
        db      3, 0
        dq      (1 << 4) | (1 << 7) | (1 << 15) | (1 << 19) | (1 << 27) | (1 << 28) | (1 << 29)
        db      0x01, 0x00
        db      0, 2
        db      0xFF, 0xFF
        db      "emu", 0, "0.2", 0, "11/26/2026", 0, 0
SMBIOS_TYPE0_LENGTH     equ     $ - smbios_type0

name_acpi_loader:       fw_name "etc/table-loader"
name_emu_loader:        fw_name "etc/emu/table-loader"
name_emu_pir:           fw_name "etc/emu/pir"
name_smbios_anchor:     fw_name "etc/smbios/smbios-anchor"
name_smbios_tables:     fw_name "etc/smbios/smbios-tables"
msg_no_room:            db      "emu BIOS: no room for a table", 13, 10, 0

        align   8
tables_gdt:
        dq      0
        ; 0x08: 32-bit code, base F0000, limit 64 KiB
        dw      0xFFFF, 0x0000
        db      0x0F, 0x9B, 0x40, 0x00
        ; 0x10: 32-bit flat data, base 0, limit 4 GiB
        dw      0xFFFF, 0x0000
        db      0x00, 0x93, 0xCF, 0x00
        ; 0x18: 16-bit code, base F0000, limit 64 KiB
        dw      0xFFFF, 0x0000
        db      0x0F, 0x9B, 0x00, 0x00
        ; 0x20: 16-bit data, base 0, limit 64 KiB
        dw      0xFFFF, 0x0000
        db      0x00, 0x93, 0x00, 0x00
tables_gdt_end:
tables_gdt_desc:
        dw      tables_gdt_end - tables_gdt - 1
        dd      BIOS_LINEAR + tables_gdt

        align   4
tables_base:    dd      0               ; where the reserved high zone starts (ram_top if none)
high_next:      dd      0               ; the high zone's lowest allocation so far
fseg_next:      dd      0               ; the F-segment zone's next free byte
tbl_file_count: dd      0
pir_address:    dd      0               ; the $PIR table, for INT 1Ah B10Eh (0: none)

; The F-segment zone: the RSDP, the MP table, $PIR and the SMBIOS entry point.
        align   16
fseg_zone:      times   FSEG_ZONE db 0
